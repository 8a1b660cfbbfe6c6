from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [("projects", "0003_attachment_procedure")]

    operations = []
