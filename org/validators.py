from django.core.exceptions import ValidationError


class CharacterClassValidator:
    """Require characters from at least N of: upper case, lower case, digits, symbols."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    @staticmethod
    def classes_in(password: str) -> int:
        kinds = (
            any(c.isupper() for c in password),
            any(c.islower() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        )
        return sum(kinds)

    def validate(self, password, user=None):
        if self.classes_in(password) < self.min_classes:
            raise ValidationError(
                "密码须包含大写字母、小写字母、数字、特殊符号中的至少%(n)d类。",
                code="password_too_simple", params={"n": self.min_classes},
            )

    def get_help_text(self):
        return f"密码须包含大写字母、小写字母、数字、特殊符号中的至少{self.min_classes}类。"


ADMIN_CODE_LENGTH = 12


def validate_admin_code(value: str):
    """统一行政区划代码 as used in the grid codes: 12 digits."""
    if not (value.isdigit() and len(value) == ADMIN_CODE_LENGTH):
        raise ValidationError("行政区划代码应为12位数字，当前为“%(v)s”。", params={"v": value})


def validate_mobile(value: str):
    digits = value.replace("-", "").replace(" ", "")
    if not digits.isdigit() or not (7 <= len(digits) <= 12):
        raise ValidationError("电话号码格式不正确：“%(v)s”。", params={"v": value})
