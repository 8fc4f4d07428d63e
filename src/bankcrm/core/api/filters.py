"""Filter backends every API list shares (issue 15.5): strict query parameters, ``ordering``, ``changed_since``.

* ``KnownQueryParameters`` (first): a query parameter the endpoint does not know is a 400
  ``{detail, errors: {param: [...]}}``. A misspelt filter (``?brnach=``) used to be ignored and
  the client got everything, believing it filtered. Known: the FilterSet's filters, pagination
  (``page``, ``page_size``), ``format``, ``ordering`` and ``changed_since`` where offered, and what a
  view declares in ``extra_query_params`` (a parameter it reads itself).
* ``Ordering``: ``?ordering=field`` or ``-field``, comma-separated, over the serializer's fields that
  are database columns of the model (not computed ones); the primary key breaks ties so pages of
  one ordering never overlap or skip a record.
* ``ChangedSince``: ``?changed_since=2026-10-01T00:00:00+08:00`` keeps the records with an entry in
  the change log at or after that time (created or updated; core/changelog.py), so a client syncs
  deltas. Offered only on lists of change-logged models; records deleted since are not listed
  (docs/operator-guide.md, "Not done yet").
"""

import datetime as dt

from django.db import models
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext
from rest_framework import exceptions, filters

ALWAYS_KNOWN = {"format"}
MAX_OFFSET = dt.timedelta(hours=14)


def _model(view):
    queryset = getattr(view, "queryset", None)
    return queryset.model if queryset is not None else None


class Ordering(filters.OrderingFilter):
    def get_default_valid_fields(self, queryset, view, context=None):
        model = queryset.model
        columns = {f.name for f in model._meta.concrete_fields} | {f.attname for f in model._meta.concrete_fields}
        serializer_class = view.get_serializer_class()
        context = view.get_serializer_context() if getattr(view, "request", None) is not None else {}
        fields = []
        for name, field in serializer_class(context=context).fields.items():
            source = field.source or name
            if not field.write_only and source in columns:
                fields.append((source, name))
        return fields

    def get_valid_fields(self, queryset, view, context=None):
        if getattr(view, "ordering_fields", None) is None:
            return self.get_default_valid_fields(queryset, view, context or {})
        return super().get_valid_fields(queryset, view, context or {})

    def remove_invalid_fields(self, queryset, fields, view, request):
        valid = {name for _, name in self.get_valid_fields(queryset, view, {"request": request})}
        unknown = [term for term in fields if term.lstrip("-") not in valid]
        if unknown:
            message = gettext("cannot order by %(fields)s; possible: %(valid)s") % {
                "fields": ", ".join(unknown),
                "valid": ", ".join(sorted(valid)),
            }
            raise exceptions.ValidationError({self.ordering_param: [message]})
        # The request's names are the serializer's; order by the model field behind each.
        sources = dict((name, source) for source, name in self.get_valid_fields(queryset, view, {"request": request}))
        return [("-" if term.startswith("-") else "") + sources[term.lstrip("-")] for term in fields]

    def filter_queryset(self, request, queryset, view):
        ordering = self.get_ordering(request, queryset, view)
        if ordering and request.query_params.get(self.ordering_param):
            return queryset.order_by(*ordering, "pk")
        return queryset

    def get_default_ordering(self, view):
        return None  # no ?ordering: the model's own ordering, as before


def offers_changed_since(view, model=None) -> bool:
    from bankcrm.core.models import ChangeLoggedModel

    model = model or _model(view)
    return model is not None and issubclass(model, ChangeLoggedModel) and getattr(view, "action", "list") == "list"


class ChangedSince(filters.BaseFilterBackend):
    param = "changed_since"

    def filter_queryset(self, request, queryset, view):
        raw = request.query_params.get(self.param)
        if raw is None or not offers_changed_since(view, queryset.model):
            return queryset
        try:
            since = parse_datetime(raw.strip().replace(" ", "+"))  # a "+" unescaped in a URL arrives as a space
            # Offsets on Earth lie within ±14:00; PostgreSQL refuses beyond ±15:59 (a 500 otherwise).
            # Compared in UTC, which also keeps the database from parsing the offset at all.
            if since is not None and since.tzinfo is not None and abs(since.utcoffset()) <= MAX_OFFSET:
                since = since.astimezone(dt.UTC)
            else:
                since = None
        except (ValueError, OverflowError):  # 25:00, or a year 1 moved before year 1 by its offset
            since = None
        if since is None:
            message = gettext("expected a date and time with its offset, e.g. 2026-10-01T00:00:00+08:00")
            raise exceptions.ValidationError({self.param: [message]})
        from django.contrib.contenttypes.models import ContentType

        from bankcrm.core.models import ObjectChange

        changed = ObjectChange.objects.filter(
            content_type=ContentType.objects.get_for_model(queryset.model), time__gte=since
        ).values("object_id")
        pk = queryset.model._meta.pk
        if isinstance(pk, models.IntegerField | models.AutoField):
            changed = changed.annotate(as_int=models.functions.Cast("object_id", pk)).values("as_int")
        return queryset.filter(pk__in=changed)

    def get_schema_operation_parameters(self, view):
        if not offers_changed_since(view):
            return []
        return [
            {
                "name": self.param,
                "required": False,
                "in": "query",
                "description": "only records created or changed at or after this time (from the change log)",
                "schema": {"type": "string", "format": "date-time"},
            }
        ]


def documented_query_params(view) -> set[str]:
    """Query parameters the view documents with ``@extend_schema(parameters=[…])`` on its action."""
    from drf_spectacular.drainage import get_override
    from drf_spectacular.utils import OpenApiParameter

    handler = getattr(view, getattr(view, "action", None) or view.request.method.lower(), None)
    names = set()
    for parameter in get_override(handler, "parameters", []) or []:
        if isinstance(parameter, OpenApiParameter) and parameter.location == OpenApiParameter.QUERY:
            names.add(parameter.name)
    return names


class KnownQueryParameters(filters.BaseFilterBackend):
    def filter_queryset(self, request, queryset, view):
        known = set(ALWAYS_KNOWN) | set(getattr(view, "extra_query_params", ())) | documented_query_params(view)
        paginator = getattr(view, "paginator", None)
        if paginator is not None:
            known |= {getattr(paginator, "page_query_param", "page"), getattr(paginator, "page_size_query_param", "")}
        for backend_class in view.filter_backends:
            if backend_class is ChangedSince:
                if offers_changed_since(view, queryset.model):
                    known.add(ChangedSince.param)
            elif issubclass(backend_class, filters.OrderingFilter):
                known.add(backend_class.ordering_param)
            elif hasattr(backend_class, "get_filterset_class"):
                filterset_class = backend_class().get_filterset_class(view, queryset)
                if filterset_class is not None:
                    known |= set(filterset_class.base_filters)
        unknown = sorted(set(request.query_params) - known)
        if unknown:
            message = gettext("unknown query parameter; known: %(known)s") % {"known": ", ".join(sorted(known - {""}))}
            raise exceptions.ValidationError({name: [message] for name in unknown})
        return queryset
