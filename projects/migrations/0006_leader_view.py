from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [("projects", "0005_unit_filing")]

    operations = []
