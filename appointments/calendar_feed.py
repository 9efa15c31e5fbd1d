"""Keeps the provider feed's secret token out of log lines this app does not write itself.

No model imports here: LOGGING builds this filter before the apps are loaded.
"""

import logging
import re

FEED_PATH = re.compile(r"(/calendar/)[^/\s\"'?]+(\.ics)")


class FeedTokenRedactingFilter(logging.Filter):
    """Blanks the token of feed paths (/calendar/<token>.ics) in any log record, e.g. a 500's
    "Internal Server Error: <path>" or runserver's request lines. Wired into LOGGING by settings."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/calendar/" in message:
            record.msg, record.args = FEED_PATH.sub(r"\1[token]\2", message), ()
        return True
