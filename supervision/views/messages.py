"""我的消息 moved to the notify app (/messages/); the old address sends people there."""

from django.views.generic import RedirectView


class MessagesView(RedirectView):
    """The old /supervision/messages/ address (bookmarks, old e-mails)."""

    pattern_name = "notify:messages"
    query_string = True
