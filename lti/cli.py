"""``igm lti``: make the tool's key once, and show what to enter in a learning environment."""

from __future__ import annotations

import argparse
import json
import sys

from lti.config import (
    CONFIG_ENV,
    LtiConfigError,
    config_path,
    generate_tool_key,
    key_path,
    load_lti_config,
)

__all__ = ["cmd_lti"]


def cmd_lti(args: argparse.Namespace) -> int:
    path = config_path(configured=args.config)
    if path is None:
        print(f"igm lti: give --config FILE or set {CONFIG_ENV}", file=sys.stderr)
        return 2
    if args.lti_command == "keygen":
        data = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
        key = key_path(path, data)
        made = generate_tool_key(key)
        print(f"{'made' if made else 'kept'}: {key}")
        return 0
    try:
        config = load_lti_config(path)
    except LtiConfigError as exc:
        print(f"igm lti: {exc}", file=sys.stderr)
        return 1
    base = args.tool_url or config.tool_url or "https://YOUR-SERVER/"
    base = base if base.endswith("/") else base + "/"
    print(f"OIDC login / initiate login URL:  {base}lti/login")
    print(f"Launch / redirect / target URL:   {base}lti/launch")
    print(f"Deep linking URL:                 {base}lti/launch")
    print(f"Public keyset (JWKS) URL:         {base}lti/jwks")
    print(json.dumps(config.jwks(), indent=2))
    return 0
