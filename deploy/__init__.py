"""Deployment files: learner-server config (jupyter_server_config.py), the grading service."""
