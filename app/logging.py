"""Log configuration: one line per record, ids and actions only (never names or documents)."""

import logging


def configure_logging(level: str = "INFO") -> None:
    root = logging.getLogger()
    if getattr(root, "_parley_configured", False):
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(level.upper())
    root._parley_configured = True  # type: ignore[attr-defined]
