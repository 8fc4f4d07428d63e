"""API tokens that expire (issue 8.3): DRF's TokenAuthentication plus an age limit.

A token lives BANKCRM_TOKEN_DAYS (default 90) from the moment it was issued; after that the API
answers 401 with the date it expired, and an operator issues a new one with
``bankcrm user token USERNAME --rotate``. A disabled login's token is refused by DRF already
(``user.is_active``) and is deleted when the login is disabled.
"""

import datetime as dt

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication


def token_expires_at(token) -> dt.datetime:
    return token.created + dt.timedelta(days=settings.BANKCRM_TOKEN_DAYS)


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        expires = token_expires_at(token)
        if timezone.now() >= expires:
            when = formats.date_format(timezone.localtime(expires), "DATETIME_FORMAT")
            raise exceptions.AuthenticationFailed(
                _("API token expired on %(when)s; ask an operator for a new one (bankcrm user token --rotate).")
                % {"when": when}
            )
        return user, token
