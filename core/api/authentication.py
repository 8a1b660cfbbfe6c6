"""Token authentication that refuses a malformed key before looking it up.

PostgreSQL cannot compare text holding a NUL byte (the driver raises DataError), so a
header such as `Token ab\\x00c` was a 500 there; it is a 401 with DRF's reason, as any
unknown key is.
"""

from rest_framework import authentication, exceptions


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        longest = self.get_model()._meta.get_field("key").max_length
        if "\x00" in key or len(key) > longest:
            raise exceptions.AuthenticationFailed("认证令牌无效。")
        return super().authenticate_credentials(key)
