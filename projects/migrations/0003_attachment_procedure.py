"""批复文件 belong to a procedure: Attachment.procedure replaces ProcedureItem.document."""

import django.db.models.deletion
from django.db import migrations, models


def documents_to_attachments(apps, schema_editor):
    ProcedureItem = apps.get_model("projects", "ProcedureItem")
    Attachment = apps.get_model("projects", "Attachment")
    for item in ProcedureItem.objects.exclude(document=None).only("pk", "document_id"):
        Attachment.objects.filter(pk=item.document_id).update(procedure=item.pk)


def attachments_to_documents(apps, schema_editor):
    ProcedureItem = apps.get_model("projects", "ProcedureItem")
    Attachment = apps.get_model("projects", "Attachment")
    for attachment in Attachment.objects.exclude(procedure=None).order_by("created_at"):
        ProcedureItem.objects.filter(pk=attachment.procedure_id).update(document=attachment.pk)


class Migration(migrations.Migration):

    dependencies = [
        ("projects", "0002_project_responsible_name"),
    ]

    operations = [
        migrations.AddField(
            model_name="attachment",
            name="procedure",
            field=models.ForeignKey(
                blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                related_name="documents", to="projects.procedureitem",
                verbose_name="前期手续（批复文件）"),
        ),
        migrations.RunPython(documents_to_attachments, attachments_to_documents),
        migrations.RemoveField(
            model_name="procedureitem",
            name="document",
        ),
    ]
