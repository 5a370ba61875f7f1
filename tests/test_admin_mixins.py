"""An admin's mixins each override hooks of their own, so the order of its bases
decides nothing: a name defined by one base only is found there whatever the order."""

from itertools import combinations

import pytest
from django.contrib import admin

NEWSROOM_ADMINS = [
    type(model_admin)
    for model_admin in admin.site._registry.values()
    if type(model_admin).__module__.startswith("articles.")
]


def _defined(cls):
    """The names `cls` and its ancestors define on top of Django's ModelAdmin."""
    stock = set(admin.ModelAdmin.__mro__)
    return {
        name
        for klass in cls.__mro__
        if klass not in stock
        for name in vars(klass)
        if not (name.startswith("__") and name.endswith("__"))
    }


@pytest.mark.parametrize("admin_class", NEWSROOM_ADMINS, ids=lambda c: c.__name__)
def test_no_two_bases_of_an_admin_define_the_same_name(admin_class):
    for one, other in combinations(admin_class.__bases__, 2):
        assert not _defined(one) & _defined(other), (one.__name__, other.__name__)
