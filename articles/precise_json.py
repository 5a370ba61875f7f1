"""Django's JSON serializer, keeping times to the microsecond.

DjangoJSONEncoder rounds datetimes down to the millisecond, which would make a backup
lose the rest: `articles.backup` writes and reads rows in this format instead.
"""

import datetime

from django.core.serializers.json import (
    Deserializer,  # noqa: F401  (the format's reader)
    DjangoJSONEncoder,
)
from django.core.serializers.json import Serializer as JSONSerializer


class PreciseEncoder(DjangoJSONEncoder):
    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        return super().default(o)


class Serializer(JSONSerializer):
    def _init_options(self):
        super()._init_options()
        self.json_kwargs["cls"] = PreciseEncoder
