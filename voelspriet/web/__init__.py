"""The web app: the webcare inbox and the analysts' mention tables (Starlette, server-rendered).

``create_app(engine, settings, profile)`` builds the ASGI app; ``voelspriet web`` serves it.
Imported lazily, so ``voelspriet users ...`` does not load Starlette, openpyxl and WeasyPrint.
"""


def __getattr__(name: str):
    if name == "create_app":
        from voelspriet.web.app import create_app

        return create_app
    raise AttributeError(name)


__all__ = ["create_app"]
