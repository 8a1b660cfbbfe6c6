from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [("supervision", "0011_bulletin_drafting")]

    operations = []
