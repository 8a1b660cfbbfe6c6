"""Base for management commands that change data: every write is attributed."""

import getpass

from django.core.management.base import BaseCommand, CommandError

from core.choices import ChangeSource
from core.history import change_context


class TrackedCommand(BaseCommand):
    """Runs `handle_tracked` inside a change context naming the command and its actor.

    `--as-user` names the account on whose behalf the command runs; without
    it the change is attributed to the command and the operating-system user.
    """

    change_source = ChangeSource.COMMAND

    def add_arguments(self, parser):
        parser.add_argument("--as-user", dest="as_user", default="",
                            help="以该账号的名义执行（记入变更历史）")

    def handle(self, *args, **options):
        from django.contrib.auth import get_user_model

        user = None
        if options.get("as_user"):
            user = get_user_model().objects.filter(username=options["as_user"]).first()
            if user is None:
                raise CommandError(f"账号“{options['as_user']}”不存在。")
        try:
            os_user = getpass.getuser()
        except Exception:
            os_user = "unknown"
        name = self.__module__.rsplit(".", 1)[-1]
        with change_context(self.change_source, user=user, label=f"命令 {name}，{os_user}"):
            return self.handle_tracked(*args, **options)

    def handle_tracked(self, *args, **options):
        raise NotImplementedError
