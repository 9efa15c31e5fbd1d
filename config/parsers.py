"""Request parsers for the API (DEFAULT_PARSER_CLASSES). Apart from config/api.py: DRF reads this
setting while rest_framework.views is being imported, which config/api.py itself imports."""

from rest_framework import exceptions, parsers


class JSONParser(parsers.JSONParser):
    """DRF's, but JSON nested too deeply for Python's parser (a RecursionError) is a 400 too."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError("JSON parse error - nested too deeply.") from None
