"""The database session store, refusing malformed session keys before the lookup.

A cookie such as `sessionid="abc\\x00def"` reached the query and PostgreSQL refused the NUL
byte with a DataError: every page answered 500. Django's own keys are 32 lowercase letters
and digits; anything else is treated as no session (a fresh, anonymous one).
"""

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore


class SessionStore(DatabaseSessionStore):
    def _validate_session_key(self, key):
        return bool(key) and key.isascii() and key.isalnum() and super()._validate_session_key(key)
