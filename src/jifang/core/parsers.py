"""Request body parsers for the API (settings.REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"])."""
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from .i18n import bilingual


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser, with a body nested too deeply for Python's parser (a RecursionError, so
    a 500) answered as the malformed body it is (400)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(bilingual("JSON嵌套过深", "the JSON is nested too deeply")) from None
