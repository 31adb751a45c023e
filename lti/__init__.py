"""LTI 1.3: the kit as a tool in a learning environment (Brightspace, Canvas, Moodle).

A floor of its own, between :mod:`exercises` and the app server (:mod:`apps.server` mounts
:func:`lti.web.handlers`). With `pylti1p3 <https://github.com/dmitry-viskov/pylti1.3>`_:

* **login** (``<base>lti/login``): OIDC login initiation; the tool answers with a redirect
  to the platform's authorisation endpoint, carrying a fresh ``state`` (cookie) and
  ``nonce`` (stored in the database, :mod:`lti.store`).
* **launch** (``<base>lti/launch``): the platform posts a signed ``id_token``. It is
  checked (signature against the platform's JWKS, ``iss``/``aud``/deployment, ``exp`` and
  ``iat``, the ``state`` cookie, and the ``nonce``, which is accepted **once**: a replayed
  launch is refused). A resource-link launch registers the learner (identity source
  ``"lti"``, :func:`lti.identity.learner_number`) and opens the exercise with a one-time
  ticket (``?lti=``) that the exercise kernel redeems; a deep-linking request shows the
  exercises to pick from, and the pick goes back as a signed deep-linking response.
* **grade passback**: after each recorded attempt the exercise kernel asks the server
  (``<base>lti/passback``, with the key it got when redeeming its ticket) to send the
  counting grade (:func:`exercises.grades.counting_attempt`) to the launch's line item with
  Assignment and Grade Services.
* **jwks** (``<base>lti/jwks``): the tool's public key, for the platform.

Configuration: :mod:`lti.config` (``IGM_LTI_CONFIG`` or ``[serve] lti_config``); see
``docs/lti.md``.
"""

from __future__ import annotations

__all__: list[str] = []
