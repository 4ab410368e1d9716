"""Exceptions that reach a person: each message says what is wrong and what to do."""


class VoelsprietError(Exception):
    """Base class; the CLI prints the message as one line and exits non-zero."""


class ConfigError(VoelsprietError):
    """The municipality profile or a setting is wrong."""


class StoreError(VoelsprietError):
    """The store cannot be opened, is locked, corrupt or not migrated."""


class ModelError(VoelsprietError):
    """The classifier model is missing, corrupt or incompatible."""
