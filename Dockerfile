# igm-kit learner image: JupyterLab + the kit's apps as a Voila server extension.
#
# For Zero to JupyterHub (singleuser.image) and, for a quick look without a hub,
#   docker build -t igm-kit . && docker run -p 8888:8888 igm-kit
#   -> http://127.0.0.1:8888/voila/render/apps/explorer.ipynb?token=<token printed in the log>
#
# NOT BUILT in the kit's CI (no Docker engine there); what it runs is tested there instead:
# tests/deploy/test_server_extension.py starts `jupyter server` with the same
# deploy/jupyter_server_config.py and renders /voila/render/apps/explorer.ipynb.
# See docs/deployment.md and docs/grading-trust.md.
#
# Base: the Jupyter project's minimal image (Python 3.11, jupyterhub-singleuser, user jovyan).
# Pin the tag you tested, e.g. quay.io/jupyter/base-notebook:python-3.11.
FROM quay.io/jupyter/base-notebook:python-3.11

USER root
# The kit's source, read-only for learners. .dockerignore keeps .venv, var/ (local gradebook),
# tests and build output out of the image.
COPY . /srv/igm-kit
RUN pip install --no-cache-dir /srv/igm-kit \
    # appended: the base image's own settings (ip, port, …) in that file stay in force
    && cat /srv/igm-kit/deploy/jupyter_server_config.py >> /etc/jupyter/jupyter_server_config.py \
    && chmod -R a+rX,go-w /srv/igm-kit
# Graded exercises: under a hub the learner can read every file and env var of this image,
# answer keys included. Scores count only when the learners' servers have IGM_GRADER_URL
# (singleuser.extraEnv): the exercise app then sends answers to the igm-grader service and
# holds no key; without it the app is practice only and records nothing (docs/grading-trust.md).
# For a hub with the grader, build with --build-arg IGM_GRADED=1: that drops the answer keys
# that are not derived from open material, the recognise-determinant item bank and score-case's
# grader-only cases (exercises/grading_cases; both exercises then work only through the grader,
# not as practice), from both copies: the installed package and /srv/igm-kit.
ARG IGM_GRADED=0
RUN if [ "$IGM_GRADED" = "1" ]; then \
        rm /srv/igm-kit/exercises/items/recognise-determinant.yaml \
        "$(python -c 'import exercises, pathlib; print(pathlib.Path(exercises.__file__).parent / "items" / "recognise-determinant.yaml")')" \
        && rm -r /srv/igm-kit/exercises/grading_cases \
        "$(python -c 'import exercises, pathlib; print(pathlib.Path(exercises.__file__).parent / "grading_cases")')"; \
    fi
# The grading service itself can run from this image built WITHOUT IGM_GRADED (it needs every
# item bank and the grader-only cases): command `igm-grader --ip 0.0.0.0 --port 8000`, settings from the environment
# (docs/deployment.md). It uses JupyterHub's service library, which this base image has
# (elsewhere: pip install 'igm-kit[hub]').

# The chart bundle, written once at build time (each kernel only reads it). The server config
# points JUPYTER_PATH (the kit's Voila template) and IGM_CACHE_DIR under IGM_HOME.
ENV IGM_HOME=/srv/igm-kit
RUN IGM_CACHE_DIR=/srv/igm-kit/var/cache \
    python -c "from widgets.offline import write_bundle; print(write_bundle())" \
    && chmod -R a+rX /srv/igm-kit/var

USER ${NB_UID}
WORKDIR /home/${NB_USER}
# The apps live at /srv/igm-kit/apps; a hub's postStart hook links them into the home folder
# (docs/deployment.md), so that /voila/render/apps/explorer.ipynb resolves under the home root.
RUN ln -s /srv/igm-kit/apps /home/${NB_USER}/apps
