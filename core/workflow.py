"""The submit → review → return step that progress reports, rectification responses,
action items and re-baseline requests share.

Each of them is filed by one side and accepted or sent back by the other; the rules of
that decision are the same everywhere and live here once: the states a decision may start
from, a reason required to send something back, and four eyes — nobody decides on what
they filed themselves. The caller keeps its own permission check (who may review at all)
and stores who decided and when where its model keeps them.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError


@dataclass(frozen=True)
class Review:
    what: str                       # the thing decided on, as the UI names it: 填报, 整改情况 …
    filed_word: str                 # the state it is in when it may be decided: 已提交, 已报送 …
    reviewable: tuple[str, ...]     # statuses a decision may start from
    accepted: str                   # the status an accept leads to
    returned: str                   # the status a return leads to
    reason_field: str               # the form field a missing reason is reported on
    accept_verb: str = "审核通过"
    return_verb: str = "退回"
    reason_required: bool = True    # a return must say why

    def decide(self, obj, *, accept: bool, reason: str = "", acting_user, filed_by_id=None,
               status_field: str = "status") -> str:
        """Check the decision and move `obj` to its new status (not saved).

        Returns the reason, stripped. `filed_by_id` is the account that filed what is
        decided on; a trusted system caller (`acting_user=None`) is not subject to four eyes.
        """
        verb = self.accept_verb if accept else self.return_verb
        if getattr(obj, status_field) not in self.reviewable:
            raise ValidationError(f"只有{self.filed_word}的{self.what}可以{verb}。")
        reason = (reason or "").strip()
        if not accept and self.reason_required and not reason:
            raise ValidationError({self.reason_field: f"请填写{self.return_verb}原因。"})
        if acting_user is not None and filed_by_id is not None and filed_by_id == acting_user.pk:
            raise PermissionDenied(f"不能{verb}本人提交的{self.what}，请由其他人员处理。")
        setattr(obj, status_field, self.accepted if accept else self.returned)
        return reason
