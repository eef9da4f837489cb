"""The web chat: ``python app.py`` (or ``make run``). Honours GRADIO_SERVER_NAME / GRADIO_SERVER_PORT."""

from __future__ import annotations

import os
import sys

from assistant.errors import CoachError


def main() -> int:
    from assistant.config import load_settings
    from assistant.interfaces.web import build_server
    from assistant.interfaces.web_handlers import parse_auth
    from assistant.service.coach import Coach

    try:
        settings = load_settings()
        coach = Coach.open(settings)
        auth = parse_auth(settings.web.auth.get_secret_value() if settings.web.auth else None)
    except CoachError as exc:
        print(f"coach: {exc}", file=sys.stderr)
        return 2
    app = build_server(coach, auth)
    host = os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1")
    port = int(os.environ.get("GRADIO_SERVER_PORT", "7860"))
    print(f"Playbook Coach is running at http://{host}:{port}", file=sys.stderr)
    import uvicorn

    uvicorn.run(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
