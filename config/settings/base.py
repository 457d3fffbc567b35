"""Settings shared by every environment. Values that differ come from the environment."""

from __future__ import annotations

from pathlib import Path

import dj_database_url

from config.env import env_bool, env_choice, env_coordinates, env_int, env_list, env_str, env_tile_url, url_origin

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("VIGIL_VAR_DIR", str(BASE_DIR / "var")))
NODE_MODULES = BASE_DIR / "node_modules"

SECRET_KEY = env_str("DJANGO_SECRET_KEY", "insecure-development-key-do-not-use-in-production")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "vigil.worker",  # before django_tasks_db: its db_worker adds the housekeeping
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "vigil.core",
    "vigil.audit",
    "vigil.people",
    "vigil.cases",
    "vigil.orders",
    "vigil.warrants",
    "vigil.alarms",
    "vigil.actions",
    "vigil.risk",
    "vigil.timeline",
    "vigil.portal",
    "vigil.disclosure",
    "vigil.gazetteer",
    "vigil.intake",
    "vigil.partners",
    "vigil.marac",
    "vigil.api",
    "vigil.monitoring",
    "vigil.deadlines",
    "ninja",
    "vigil.notifications",
    "vigil.schools",
    "vigil.bench",
    "vigil.front",
    "vigil.demo",
    "vigil.idva",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "vigil.core.middleware.SecurityHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "vigil.core.middleware.RequestIdMiddleware",
    "vigil.api.middleware.ApiAuditMiddleware",
    "vigil.core.middleware.SessionMiddleware",  # Django's, but the board's refresh does not renew the session
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "vigil.core.middleware.SessionLimitMiddleware",
    "vigil.core.middleware.SecondFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # django-axes turns a locked-out sign-in into its lockout page; it must come last.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "vigil" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "vigil.front.context_processors.vigil",
            ],
        },
    },
]

# SQLite under var/ unless DATABASE_URL points at a server (PostgreSQL in production).
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'vigil.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0, minimum=0))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    # WAL lets the web server read while the task worker writes; a larger page cache and
    # memory-mapped reads keep the blocking index and the boards' indexes in memory.
    _sqlite_cache_mb = env_int("VIGIL_SQLITE_CACHE_MB", 64, minimum=2, maximum=4096)
    DATABASES["default"]["OPTIONS"].update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                f"PRAGMA cache_size=-{_sqlite_cache_mb * 1024}; PRAGMA mmap_size={_sqlite_cache_mb * 4 * 1024 * 1024};"
            ),
        }
    )
# PostgreSQL with two roles (docs/security.md): DATABASE_URL is the application's role, which
# owns no table; `vigil migrate` connects as this owner role and grants the application's.
DATABASE_OWNER_URL = env_str("DATABASE_OWNER_URL", "")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
# django-axes checks for a lockout before any password is compared.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# GOV.UK Frontend's CSS asks for /assets/fonts and /assets/images, so static files live
# under /assets/ and the packages' asset folders are mounted at its root.
STATIC_URL = "/assets/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [
    NODE_MODULES / "govuk-frontend" / "dist" / "govuk" / "assets",
    ("images", NODE_MODULES / "@ministryofjustice" / "frontend" / "moj" / "assets" / "images"),
    ("govuk", NODE_MODULES / "govuk-frontend" / "dist" / "govuk"),
    ("moj", NODE_MODULES / "@ministryofjustice" / "frontend" / "moj"),
    ("leaflet", NODE_MODULES / "leaflet" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", True)

# Idle timeout: the session cookie is renewed on every request and lapses after this many
# seconds without one. The absolute limit ends a session however busy it is.
SESSION_COOKIE_AGE = env_int("VIGIL_SESSION_SECONDS", 30 * 60, minimum=60, maximum=12 * 3600)
VIGIL_SESSION_MAX_SECONDS = env_int("VIGIL_SESSION_MAX_SECONDS", 10 * 3600, minimum=300, maximum=24 * 3600)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "vigil.core.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Maps: street tiles come from a tile server the force names (its Ordnance Survey licence or
# its own service); none is ever called otherwise. Without one, maps show a plain grid and
# the page says typing the address or postcode is easier (docs/intake.md).
VIGIL_MAP_TILES_URL = env_tile_url("VIGIL_MAP_TILES_URL")
VIGIL_MAP_TILES_ATTRIBUTION = env_str("VIGIL_MAP_TILES_ATTRIBUTION", "")
VIGIL_MAP_CENTRE = env_coordinates("VIGIL_MAP_CENTRE", (51.5074, -0.1278))

# Content-Security-Policy (django-csp 4): no inline script or style anywhere. Our only script
# is the module /assets/vigil/init.mjs; GOV.UK Frontend needs no inline script because
# init.mjs adds the js-enabled body class. The map tile server's origin is allowed as an
# image source; other image origins may be added through VIGIL_CSP_IMG_ORIGINS.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": [
            "'self'",
            "data:",
            *([url_origin(VIGIL_MAP_TILES_URL)] if VIGIL_MAP_TILES_URL else []),
            *env_list("VIGIL_CSP_IMG_ORIGINS", []),
        ],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "manifest-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    },
}

# Lock an account for 30 minutes after five failed sign-ins in a row (django-axes). Locking by
# username, not address, stops a spread-out guessing attack; the cost is that someone can
# lock a colleague out, which the lockout page tells them how to resolve.
AXES_FAILURE_LIMIT = env_int("VIGIL_LOCKOUT_FAILURES", 5, minimum=3, maximum=20)
AXES_COOLOFF_TIME = env_int("VIGIL_LOCKOUT_MINUTES", 30, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_VERBOSE = False
# axes.W006 asks for lockout by address as well; many officers share a force's proxy address,
# so one person's typing would lock out a whole station. Locking by username already stops
# rotating user agents or cookies from helping.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Second factor (django-otp TOTP) for every member of staff.
OTP_TOTP_ISSUER = "Vigil"
# Only the demo and the tests may give users fixed, printed TOTP seeds.
VIGIL_ALLOW_DEMO_SEEDS = env_bool("VIGIL_ALLOW_DEMO_SEEDS", False)
# Tests only: sessions made by Django's test client (client.login / force_login) count as
# having passed the second factor. Never set outside config.settings.test.
VIGIL_OTP_TRUST_TEST_CLIENT = False

# Keys. VIGIL_FIELD_KEYS is the key ring for field-level encryption at rest:
# "id:base64key,id:base64key", the first key encrypts and every key decrypts (vigil keys).
# VIGIL_AUDIT_KEY signs the audit trail's head and keys the digests of encrypted values in it.
# The defaults below are for development and tests only; production requires both.
_DEV_FIELD_KEY = "dev1:ZGV2ZWxvcG1lbnQta2V5LW5ldmVyLWluLXByb2R1Y3Q="
VIGIL_FIELD_KEYS = env_str("VIGIL_FIELD_KEYS", _DEV_FIELD_KEY)
VIGIL_AUDIT_KEY = env_str("VIGIL_AUDIT_KEY", "insecure-development-audit-key")
# Where `vigil audit verify` keeps the signed count and last row of its last good run, so an
# emptied or shortened trail fails the next run. Keep it off the database's host if possible.
VIGIL_AUDIT_CHECKPOINT = env_str("VIGIL_AUDIT_CHECKPOINT", str(VAR_DIR / "audit-checkpoint.json"))

# The public portal (docs/portal.md).
VIGIL_PORTAL_EXIT_URL = env_str("VIGIL_PORTAL_EXIT_URL", "https://www.bbc.co.uk/weather")
VIGIL_PORTAL_PIN_MAX_FAILURES = env_int("VIGIL_PORTAL_PIN_MAX_FAILURES", 5, minimum=1, maximum=20)
VIGIL_PORTAL_RATE_LIMIT = env_int("VIGIL_PORTAL_RATE_LIMIT", 20, minimum=1)
VIGIL_PORTAL_RATE_WINDOW_SECONDS = env_int("VIGIL_PORTAL_RATE_WINDOW_SECONDS", 15 * 60, minimum=1)
# A force's own risk instruments, beside the shipped ones (docs/risk-assessment.md).
VIGIL_INSTRUMENTS_DIR = env_str("VIGIL_INSTRUMENTS_DIR", "")

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}
# The worker's housekeeping (vigil/worker/housekeeping.py): how often it runs, when a RUNNING
# task counts as left behind by a stopped worker, and when a stored portal report that is
# still not recorded is recorded by the sweep.
VIGIL_HOUSEKEEPING_SECONDS = env_int("VIGIL_HOUSEKEEPING_SECONDS", 30, minimum=1)
VIGIL_TASK_STUCK_SECONDS = env_int("VIGIL_TASK_STUCK_SECONDS", 900, minimum=1)
VIGIL_PORTAL_SWEEP_SECONDS = env_int("VIGIL_PORTAL_SWEEP_SECONDS", 120, minimum=1)
# How often the escalation job re-runs itself in the worker.
VIGIL_ESCALATION_INTERVAL_SECONDS = env_int("VIGIL_ESCALATION_INTERVAL_SECONDS", 60, minimum=5)
# MARAC (docs/partners.md): partners read an agenda's cases from its circulation until this many
# days after the meeting; a plan action not done reaches the coordinator this many hours after
# its deadline (it reaches the agency's line at the deadline).
VIGIL_MARAC_ACCESS_DAYS = env_int("VIGIL_MARAC_ACCESS_DAYS", 28, minimum=0, maximum=365)
VIGIL_MARAC_COORDINATOR_HOURS = env_int("VIGIL_MARAC_COORDINATOR_HOURS", 72, minimum=1, maximum=24 * 60)
# Notifications (docs/partners.md): Django's email framework, SMTP by default, or GOV.UK Notify.
VIGIL_NOTIFICATIONS_BACKEND = env_choice("VIGIL_NOTIFICATIONS_BACKEND", "email", ("email", "govuk_notify"))
VIGIL_NOTIFY_API_KEY = env_str("VIGIL_NOTIFY_API_KEY", "")
VIGIL_NOTIFY_TEMPLATE_ID = env_str("VIGIL_NOTIFY_TEMPLATE_ID", "")
VIGIL_NOTIFY_BASE_URL = env_str("VIGIL_NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk")
if VIGIL_NOTIFICATIONS_BACKEND == "govuk_notify" and not (VIGIL_NOTIFY_API_KEY and VIGIL_NOTIFY_TEMPLATE_ID):
    from config.env import EnvError

    raise EnvError("VIGIL_NOTIFICATIONS_BACKEND=govuk_notify needs VIGIL_NOTIFY_API_KEY and VIGIL_NOTIFY_TEMPLATE_ID")
EMAIL_BACKENDS = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
}
EMAIL_BACKEND = EMAIL_BACKENDS[env_choice("VIGIL_EMAIL_BACKEND", "smtp", tuple(EMAIL_BACKENDS))]
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = env_str("VIGIL_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("VIGIL_EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("VIGIL_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("VIGIL_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("VIGIL_EMAIL_TLS", False)
EMAIL_TIMEOUT = env_int("VIGIL_EMAIL_TIMEOUT_SECONDS", 10, minimum=1, maximum=300)
DEFAULT_FROM_EMAIL = env_str("VIGIL_EMAIL_FROM", "Vigil <vigil@localhost>")
VIGIL_EMAIL_DOMAIN = env_str("VIGIL_EMAIL_DOMAIN", "vigil.invalid")
# Links in messages point here; the force's name signs a school's notice.
VIGIL_BASE_URL = env_str("VIGIL_BASE_URL", "http://127.0.0.1:8000")
VIGIL_FORCE_NAME = env_str("VIGIL_FORCE_NAME", "the police")
# Operation Encompass: the police contact a school's notice gives, after the officer's name.
VIGIL_ENCOMPASS_CONTACT = env_str("VIGIL_ENCOMPASS_CONTACT", "call 101 and ask for the Safeguarding Hub")
# Local hour at which people who chose a daily digest get it.
VIGIL_DIGEST_HOUR = env_int("VIGIL_DIGEST_HOUR", 7, minimum=0, maximum=23)
# The safeguarding policy file; empty means the shipped policies/default.toml.
VIGIL_POLICY = env_str("VIGIL_POLICY", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("VIGIL_LOG_LEVEL", "INFO")},
}

# Never show second-factor secrets or their QR codes in the admin (they are a credential).
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Electronic monitoring (vigil/monitoring/services.py): the hysteresis rule for tag fixes at an
# exclusion zone's edge. A fix must be this accurate to count; the subject leaves a zone only
# after this many minutes of fixes beyond its radius plus the margin.
VIGIL_EM_MAX_ACCURACY_M = env_int("VIGIL_EM_MAX_ACCURACY_M", 100, minimum=5, maximum=1000)
VIGIL_EM_MARGIN_M = env_int("VIGIL_EM_MARGIN_M", 100, minimum=10, maximum=2000)
VIGIL_EM_REARM_MINUTES = env_int("VIGIL_EM_REARM_MINUTES", 10, minimum=1, maximum=24 * 60)
