from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [("supervision", "0010_issued_documents_frozen")]

    operations = []
