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

__all__ = ["add_parser", "cmd_lti"]


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """``igm lti keygen`` and ``igm lti urls``."""
    p = sub.add_parser("lti", help="LTI 1.3: the tool key and the URLs for a learning environment")
    p.set_defaults(func=cmd_lti)
    lti = p.add_subparsers(dest="lti_command", required=True)
    config = argparse.ArgumentParser(add_help=False)
    config.add_argument(
        "--config", metavar="FILE", help=f"the LTI configuration (JSON; default: ${CONFIG_ENV})"
    )
    lti.add_parser(
        "keygen", parents=[config], help="make the tool's private key (once; kept if present)"
    )
    p = lti.add_parser(
        "urls", parents=[config], help="the URLs and public key to enter in a learning environment"
    )
    p.add_argument("--tool-url", help="the kit's public address (default: tool_url of the config)")


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="igm")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
