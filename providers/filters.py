import django_filters

from providers.models import Provider
from providers.selectors import provider_filter


class ProviderFilter(django_filters.FilterSet):
    specialty = django_filters.CharFilter(method="filter_all", help_text="Specialty slug or name.")
    name = django_filters.CharFilter(method="filter_all", help_text="Part of the provider's name.")
    language = django_filters.CharFilter(method="filter_all", help_text="Language code, e.g. es.")

    class Meta:
        model = Provider
        fields: list[str] = []

    def filter_all(self, queryset, name, value):
        return provider_filter(providers=queryset, **{name: value})
