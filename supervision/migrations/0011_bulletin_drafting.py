from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [("supervision", "0010_issued_documents_frozen")]

    operations = [
        migrations.AddField(
            model_name="bulletin",
            name="commendations",
            field=models.TextField(blank=True, help_text="由起草人撰写，每行一段，印在通报事项之前",
                                   verbose_name="通报表扬"),
        ),
        migrations.AddField(
            model_name="bulletin",
            name="cc",
            field=models.CharField(blank=True, max_length=500, verbose_name="抄送机关"),
        ),
        migrations.AddField(
            model_name="bulletin",
            name="printer",
            field=models.CharField(blank=True, max_length=100, verbose_name="印发机关"),
        ),
    ]
