"""DMS settings: one module, every value from the environment, defaults that run the demo.

With ``DJANGO_DEBUG=0`` the project refuses to start unless ``DJANGO_SECRET_KEY`` and
``DJANGO_ALLOWED_HOSTS`` are set, and every security setting is on.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=True)

DEMO_SECRET_KEY = "demo-only-insecure-key-set-DJANGO_SECRET_KEY-in-production"  # noqa: S105
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])
if not DEBUG:
    missing = [
        name
        for name, value in (("DJANGO_SECRET_KEY", SECRET_KEY), ("DJANGO_ALLOWED_HOSTS", ALLOWED_HOSTS))
        if not value
    ]
    if missing:
        raise ImproperlyConfigured(f"DJANGO_DEBUG=0 needs these environment variables: {', '.join(missing)}")
else:
    SECRET_KEY = SECRET_KEY or DEMO_SECRET_KEY
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]", "testserver"]
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "dms.accounts.signin_log.SignInLogConfig",
    "dms",
    "dms.accounts",
    "dms.events",
    "dms.api",
    "dealers",
    "orders",
    "logistics",
    "visits",
    "leads",
    "campaigns",
    "scoring",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "dms.accounts.middleware.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "dms.urls"
WSGI_APPLICATION = "dms.wsgi.application"
ASGI_APPLICATION = "dms.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dms.context_processors.shell",
                "dms.context_processors.brand",
            ],
        },
    },
]

# Database: SQLite under var/ for the demo; DATABASE_URL selects PostgreSQL.
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'dms.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("DMS_CACHE_PREFIX", default="dms"),
        }
    }
    # Sessions are read from Redis and written through to the database, so a page costs no session query.
    # Not with the per-process memory cache: one process would keep a session another has ended.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = env.int("DJANGO_PASSWORD_RESET_TIMEOUT", default=3 * 24 * 3600)

# Sessions: HttpOnly, SameSite=Lax, Secure in production, closed after an idle period.
SESSION_IDLE_TIMEOUT = env.int("DMS_SESSION_IDLE_MINUTES", default=120) * 60
# The idle rule is enforced by IdleTimeoutMiddleware (with a message); the cookie outlives it.
SESSION_COOKIE_AGE = 2 * SESSION_IDLE_TIMEOUT
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_HTTPONLY = True

# Login throttling: 5 failures per username + IP address lock that pair for 15 minutes.
AXES_FAILURE_LIMIT = env.int("DMS_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("DMS_LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "dms.accounts.views.lockout_response"
AXES_VERBOSE = True
# Reverse proxies in front of the app: both sign-in limits and API throttles read the client IP
# from X-Forwarded-For only through that many trusted hops.
PROXY_COUNT = env.int("DMS_PROXY_COUNT", default=0)
AXES_IPWARE_PROXY_COUNT = PROXY_COUNT or None
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if PROXY_COUNT else ["REMOTE_ADDR"]

SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
if env.bool("DJANGO_BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"

# Language and time: Chinese first, English second; the browser chooses, zh-hans is the fallback.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
# locale/vendor holds Chinese for third-party apps that ship none (django-axes); the project catalogue wins.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale" / "vendor"]
# One date format per language, the same on every page (dms/formats).
FORMAT_MODULE_PATH = ["dms.formats"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True
CURRENCY = "CNY"
# The brand the public pages carry: its name, and its logo as a path under the static files. Unset, the
# public pages read "DMS" and dealers see head office as "Head office" (总部).
BRAND_NAME = env.str("DMS_BRAND_NAME", default="")
BRAND_LOGO = env.str("DMS_BRAND_LOGO", default="img/favicon.svg")

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("DMS_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("DMS_MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str(
            "DMS_STATICFILES_STORAGE",
            default="django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "")
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="DMS <noreply@dms.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
DMS_SITE_URL = env.str("DMS_SITE_URL", default="http://127.0.0.1:8000")

# API
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "dms.accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "dms.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "dms.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "token": env.str("DMS_TOKEN_THROTTLE", default="30/minute"),
        "apply": f"{env.int('DMS_APPLY_RATE_PER_HOUR', default=5)}/hour",
        "lead_intake": env.str("DMS_LEAD_INTAKE_THROTTLE", default="60/minute"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "NUM_PROXIES": PROXY_COUNT,
    "DEFAULT_PARSER_CLASSES": ["dms.api.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "DMS API",
    "DESCRIPTION": "Dealer management: dealers, orders, logistics, visits, leads, campaigns and scoring.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "dms.accounts.models.Role",
        "DealerStatusEnum": "dealers.models.Dealer.Status",
        "NewDealerStatusEnum": "dealers.api.NEW_DEALER_STATUSES",
        # Several serializers have a "kind": each choice set keeps one name whichever others appear.
        "KindEnum": "orders.models.PriceList.Kind",
        "FollowUpKindEnum": "leads.models.FollowUp.Kind",
        "ClashKindEnum": "leads.api.CLASH_KINDS",
        "ClaimKindEnum": "logistics.models.DeliveryClaim.Kind",
        # Several serializers have a "status" too.
        "OrderStatusEnum": "orders.models.Order.Status",
        "InvoiceStatusEnum": "orders.models.Invoice.Status",
        "ShipmentStatusEnum": "logistics.models.Shipment.Status",
        "TrackingStatusEnum": "logistics.models.TrackingEvent.Kind",
        "DeliveryPlanStatusEnum": "logistics.models.DeliveryPlan.Status",
        "ClaimStatusEnum": "logistics.models.DeliveryClaim.Status",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "dms.api.schema.add_error_responses",
    ],
}
# Dealer selection scorecard (0–100): at or above RECOMMEND the scorecard recommends the company;
# below APPROVE only an HQ administrator may approve, with a written reason.
DMS_SELECTION_RECOMMEND_AT = env.int("DMS_SELECTION_RECOMMEND_AT", default=80)
DMS_SELECTION_APPROVE_AT = env.int("DMS_SELECTION_APPROVE_AT", default=60)
# Public application form: submissions per client address per hour.
DMS_APPLY_RATE_PER_HOUR = env.int("DMS_APPLY_RATE_PER_HOUR", default=5)
# Public enquiry page: enquiries per client address per hour.
DMS_ENQUIRY_RATE_PER_HOUR = env.int("DMS_ENQUIRY_RATE_PER_HOUR", default=10)
# Orders and credit. An order above DMS_ORDER_APPROVAL_AMOUNT (CNY, incl. VAT), or from a dealer
# with an invoice overdue more than DMS_CREDIT_OVERDUE_DAYS, or past its credit limit, waits for
# head office's approval; its stock is released after DMS_PENDING_APPROVAL_HOURS.
DMS_ORDER_APPROVAL_AMOUNT = env.int("DMS_ORDER_APPROVAL_AMOUNT", default=500000)
DMS_CREDIT_OVERDUE_DAYS = env.int("DMS_CREDIT_OVERDUE_DAYS", default=30)
DMS_PENDING_APPROVAL_HOURS = env.int("DMS_PENDING_APPROVAL_HOURS", default=72)
# Leads: a customer seen again within DMS_LEAD_DEDUPE_DAYS adds to their lead instead of a new one;
# an offer to a dealer lapses after DMS_LEAD_ACCEPT_MINUTES unless a rule says otherwise.
DMS_LEAD_DEDUPE_DAYS = env.int("DMS_LEAD_DEDUPE_DAYS", default=30)
DMS_LEAD_ACCEPT_MINUTES = env.int("DMS_LEAD_ACCEPT_MINUTES", default=24 * 60)
# An accepted lead without a follow-up after this long reminds the dealer; after twice as long its owner is told.
DMS_LEAD_FOLLOW_UP_HOURS = env.int("DMS_LEAD_FOLLOW_UP_HOURS", default=48)
# An approved deal registration protects the customer for the dealer this many days.
DMS_DEAL_PROTECTION_DAYS = env.int("DMS_DEAL_PROTECTION_DAYS", default=90)
# Delivery planning: road distance is the great-circle distance times DMS_ROUTING_ROAD_FACTOR, driven at
# DMS_ROUTING_SPEED_KMH; the solver stops after DMS_ROUTING_SECONDS.
DMS_ROUTING_ROAD_FACTOR = env.float("DMS_ROUTING_ROAD_FACTOR", default=1.3)
DMS_ROUTING_SPEED_KMH = env.float("DMS_ROUTING_SPEED_KMH", default=40.0)
DMS_ROUTING_SECONDS = env.float("DMS_ROUTING_SECONDS", default=30.0)
# Minutes a vehicle stays at each stop to unload.
DMS_ROUTING_SERVICE_MINUTES = env.int("DMS_ROUTING_SERVICE_MINUTES", default=15)
# A dealer reports goods missing or damaged within DMS_CLAIM_WINDOW_DAYS of their delivery; head office any time.
DMS_CLAIM_WINDOW_DAYS = env.int("DMS_CLAIM_WINDOW_DAYS", default=7)
API_TOKEN_DEFAULT_DAYS = env.int("DMS_API_TOKEN_DAYS", default=90)
IDEMPOTENCY_KEY_TTL = timedelta(hours=env.int("DMS_IDEMPOTENCY_HOURS", default=24))

# Celery: JSON only, late acks, one task prefetched at a time. The demo uses a broker kept in
# files under var/ so that no server is needed; CELERY_BROKER_URL switches to Redis.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://localhost/")
CELERY_BROKER_DIR = VAR_DIR / "broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    for sub in ("queue", "processed", "control"):
        (CELERY_BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
else:
    # Longest countdown used by any task is one hour; the visibility timeout must exceed it.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 6 * 3600}
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "events-publish": {"task": "dms.events.tasks.events_publish_task", "schedule": 60.0},
    "idempotency-keys-purge": {"task": "dms.api.tasks.idempotency_keys_purge_task", "schedule": 3600.0},
    "dealer-documents-expiry": {
        "task": "dealers.tasks.documents_check_expiry_task",
        "schedule": crontab(hour=6, minute=30),
    },
    "orders-release-expired": {"task": "orders.tasks.orders_release_expired_task", "schedule": 900.0},
    "leads-assign": {"task": "leads.tasks.leads_assign_task", "schedule": 60.0},
    "leads-recall-expired": {"task": "leads.tasks.assignments_recall_task", "schedule": 60.0},
    "leads-chase-follow-ups": {"task": "leads.tasks.follow_ups_chase_task", "schedule": 900.0},
    "leads-registrations-expire": {
        "task": "leads.tasks.registrations_expire_task",
        "schedule": crontab(hour=0, minute=15),
    },
    "leads-imports-resume": {"task": "leads.tasks.lead_imports_resume_task", "schedule": 300.0},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "dms.security": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
