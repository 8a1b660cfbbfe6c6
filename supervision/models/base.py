"""What the supervision documents share."""


from django.core.exceptions import PermissionDenied
from django.db import models

from org.roles import CITYWIDE_ROLES as CITYWIDE  # noqa: F401  (the table is org.roles.REACH)
from supervision.choices import (
    BulletinStatus,
)


class FrozenOnceIssued(models.Model):
    """A document that can no longer be saved once its stored status is 已印发."""

    frozen_message = "已印发的文件不可修改。"

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            stored = type(self)._base_manager.filter(pk=self.pk).values_list("status", flat=True)
            if stored and stored[0] == BulletinStatus.ISSUED:
                raise PermissionDenied(self.frozen_message)
        super().save(*args, **kwargs)
