"""Base classes for every API viewset: the scoping door is called here, not in each viewset."""

from rest_framework import permissions, viewsets


class ModelPermissions(permissions.DjangoModelPermissions):
    # Reading needs the view permission too (DRF's default lets any authenticated user read).
    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": [],
    }

    def has_permission(self, request, view):
        # A method the endpoint does not offer is a 405 for everyone, not a 403 that hints at permissions.
        if request.method.lower() not in ("head", "options") and not hasattr(view, request.method.lower()):
            return True
        return super().has_permission(request, view)


class ReadByPostPermissions(ModelPermissions):
    """A read sent as POST (a search whose terms must stay out of the URL) needs only the view permission."""

    perms_map = {**ModelPermissions.perms_map, "POST": ModelPermissions.perms_map["GET"]}


_ACTION_FOR_METHOD = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


class RestrictedViewSetMixin:
    """Scope the queryset to the requesting user (404 for anything outside it)."""

    permission_classes = [permissions.IsAuthenticated, ModelPermissions]

    def get_queryset(self):
        queryset = super().get_queryset()
        # Writes are scoped by view: an object one may change must first be one one may see.
        return queryset.restrict(self.request.user, "view")


class RestrictedReadOnlyViewSet(RestrictedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class RestrictedModelViewSet(RestrictedViewSetMixin, viewsets.ModelViewSet):
    pass
