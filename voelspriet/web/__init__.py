"""The web app: the webcare inbox and the analysts' mention tables (Starlette, server-rendered).

``create_app(engine, settings, profile)`` builds the ASGI app; ``voelspriet web`` serves it.
"""

from voelspriet.web.app import create_app

__all__ = ["create_app"]
