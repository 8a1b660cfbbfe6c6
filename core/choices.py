from django.db import models


class ChangeAction(models.TextChoices):
    CREATE = "create", "新建"
    UPDATE = "update", "修改"
    ARCHIVE = "archive", "归档"
    RESTORE = "restore", "恢复"


class ChangeSource(models.TextChoices):
    WEB = "web", "网页"
    API = "api", "接口"
    COMMAND = "command", "管理命令"
    IMPORT = "import", "导入"
    SYSTEM = "system", "系统"


class AuditEventType(models.TextChoices):
    LOGIN = "login", "登录"
    LOGIN_FAILED = "login_failed", "登录失败"
    LOCKOUT = "lockout", "账号锁定"
    LOGOUT = "logout", "退出"
    PASSWORD_CHANGE = "password_change", "修改密码"
    PERMISSION_CHANGE = "permission_change", "权限变更"
    ACCOUNT_CHANGE = "account_change", "账号变更"
    UNLOCK = "unlock", "解除锁定"
    EXPORT = "export", "导出"
    VIEW_PERSONAL_DATA = "view_personal_data", "查看个人信息"
    STATE_CHANGE = "state_change", "状态变更"
    FILE_DOWNLOAD = "file_download", "下载文件"
    API_TOKEN_CREATE = "api_token_create", "创建接口令牌"
    API_TOKEN_REVOKE = "api_token_revoke", "作废接口令牌"
