"""Settings from the environment (names from the contract)."""

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore")

    service_name: str = Field(default="studio", description="Also the Kafka consumer group")
    port: int = 8000
    host: str = "127.0.0.1"
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    mongodb_url: str = "mongodb://127.0.0.1:27017"
    mongodb_database: str | None = Field(default=None, description="Default: <prefix>_<service>")
    database_prefix: str = Field(default="studio", description="Tests give each run its own")
    consumer_group_prefix: str = Field(default="", description="Tests give each run its own groups")
    staff_jwt_secret: str = Field(default="", repr=False)
    allow_weak_staff_secret: bool = Field(
        default=False, description="Development only: start even with a short or published STAFF_JWT_SECRET")
    smtp_url: str = "smtp://127.0.0.1:1025"
    log_level: str = "INFO"
    sweep_seconds: float = Field(default=30.0, description="How often due work (credit expiry) is looked for")
    keep_superseded_seconds: float = Field(
        default=600.0, description="How long a superseded aggregate version is kept before the compactor deletes "
        "it (docs/bounded-storage.md); at least twice trust_cache_seconds")
    trust_cache_seconds: float = Field(
        default=60.0, description="How long a writer trusts the latest version it loaded or wrote before reloading it")
    staff_page_origins: str = Field(
        default="", description="Comma-separated origins allowed to call the APIs from a browser (CORS); "
        "loopback origins (127.0.0.1, localhost) are always allowed, for the staff page of `make up`")
    credits_url: str | None = Field(default=None, description="For the staff page; default: this host, port - 1")
    notifier_url: str | None = Field(default=None, description="For the staff page; default: this host, port + 1")
    trace_file: str | None = Field(default=None, description="Append every span as a JSON line to this file")
    otel_exporter_otlp_endpoint: str | None = Field(default=None, description="Send spans over OTLP/HTTP here")
    otel_exporter_otlp_traces_endpoint: str | None = None
    clock_file: str | None = Field(
        default=None, description="Tests only: read 'now' from this file instead of the system clock"
    )

    @property
    def database_name(self) -> str:
        return self.mongodb_database or f"{self.database_prefix}_{self.service_name}"

    @property
    def consumer_group(self) -> str:
        return f"{self.consumer_group_prefix}{self.service_name}"

    @classmethod
    def for_service(cls, name: str, port: int) -> "Settings":
        """The service's own defaults, which the environment still overrides."""
        loaded = cls()
        defaults = {"service_name": name, "port": port}
        return loaded.model_copy(update={k: v for k, v in defaults.items() if k not in loaded.model_fields_set})
