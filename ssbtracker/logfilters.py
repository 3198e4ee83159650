"""Logging filters named in settings.LOGGING."""

import logging


class OneLineWarning(logging.Filter):
    """Log the record as one line at WARNING, without its traceback.

    For requests refused for what the client sent (a Host header the site does not serve):
    worth a line, never a traceback on every scanner's request.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        if record.levelno > logging.WARNING:
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True
