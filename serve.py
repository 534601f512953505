"""Start the assistant's HTTP server.

    python serve.py [--host H] [--port P] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import ipaddress
import logging
import sys
from pathlib import Path

from assistant.offline import enforce_offline


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the assistant's API and its page.")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    parser.add_argument("--port", type=int, default=8000, help="TCP port (default: %(default)s)")
    parser.add_argument("--data-dir", type=Path, help="index folder (default: ASSISTANT_DATA_DIR or ./data)")
    parser.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    args = parser.parse_args(argv)

    enforce_offline()
    from assistant.auth.middleware import RequestIdFilter
    from assistant.logs import configure_logging

    configure_logging(args.log_level.upper(), "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(RequestIdFilter())
    import uvicorn

    from assistant.api import create_app
    from assistant.service import Assistant
    from assistant.settings import Settings

    settings = Settings(**({"data_dir": args.data_dir} if args.data_dir else {}))
    if settings.demo_login and not _is_loopback(args.host):
        print(f"error: ASSISTANT_DEMO_LOGIN signs anyone in, so it works only on a loopback address, "
              f"not {args.host}; turn it off or serve on 127.0.0.1", file=sys.stderr)
        return 2
    assistant = Assistant(settings)
    assistant.warm_up()
    logging.getLogger(__name__).info("serving on http://%s:%d", args.host, args.port)
    uvicorn.run(create_app(assistant), host=args.host, port=args.port, log_level=args.log_level, access_log=False)
    return 0


def _is_loopback(host: str) -> bool:
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


if __name__ == "__main__":
    raise SystemExit(main())
