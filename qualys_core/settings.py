"""Server settings read from QUALYS_* environment variables, and their resolution to a platform."""

from __future__ import annotations

import logging
import os
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, SecretStr, field_validator
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from qualys_core.errors import ConfigError
from qualys_core.pods import PODS, Pod, get_pod, normalize_url

__all__ = ["DEMO_API_URL", "DEMO_GATEWAY_URL", "Platform", "Settings", "Timeouts"]

logger = logging.getLogger("qualys_core.settings")

DEMO_API_URL = "https://qualysapi.demo.invalid"
DEMO_GATEWAY_URL = "https://gateway.demo.invalid"

_CACHE_TTL_ENV_PREFIX = "qualys_cache_ttl_"
_VALID_PODS = ", ".join(PODS)


class Timeouts(BaseModel):
    """Timeouts in seconds for each class of Qualys call."""

    model_config = ConfigDict(frozen=True)

    connect: float = Field(10.0, gt=0)
    default: float = Field(30.0, gt=0)
    short: float = Field(15.0, gt=0)
    long: float = Field(180.0, gt=0)
    auth: float = Field(30.0, gt=0)


@dataclass(frozen=True, slots=True)
class Platform:
    """Where the client sends its calls; `demo` means the in-process simulator."""

    api_url: str
    gateway_url: str
    qualysguard_url: str | None
    pod: str | None
    demo: bool


def _default_download_dir() -> Path:
    """~/Downloads/qualys-mcp, or a directory under the system temp dir when there is no home
    (a service account without one)."""
    try:
        return Path.home() / "Downloads" / "qualys-mcp"
    except RuntimeError:
        return Path(tempfile.gettempdir()) / "qualys-mcp-downloads"


class _CacheTtlTierSource(PydanticBaseSettingsSource):
    """Reads QUALYS_CACHE_TTL_<TIER> variables into `cache_ttl`, one entry per tier.

    A settings source, not a validator, so that keyword arguments still win over the environment;
    pydantic-settings deep-merges the dict with the one from the QUALYS_CACHE_TTL JSON.
    """

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        tiers = {
            name[len(_CACHE_TTL_ENV_PREFIX) :].lower(): value
            for name, value in os.environ.items()
            if name.lower().startswith(_CACHE_TTL_ENV_PREFIX)
            and len(name) > len(_CACHE_TTL_ENV_PREFIX)
        }
        return {"cache_ttl": tiers} if tiers else {}


class Settings(BaseSettings):
    """Everything the server reads from QUALYS_* variables; `resolve()` checks the combination."""

    model_config = SettingsConfigDict(
        env_prefix="QUALYS_",
        case_sensitive=False,
        env_file=None,
        extra="ignore",
        # Fields read from a variable outside the QUALYS_ prefix (download_dir) still take
        # their own name as a keyword argument.
        populate_by_name=True,
    )

    pod: str | None = Field(
        None, description=f"Qualys platform (QUALYS_POD), one of {_VALID_PODS}."
    )
    username: str | None = Field(None, description="Qualys API user (QUALYS_USERNAME).")
    password: SecretStr | None = Field(None, description="Qualys API password (QUALYS_PASSWORD).")
    base_url: str | None = Field(
        None, description="API host URL (QUALYS_BASE_URL); overrides the pod's API host."
    )
    gateway_url: str | None = Field(
        None, description="Gateway host URL (QUALYS_GATEWAY_URL); overrides the pod's gateway."
    )

    timeout_connect: float = Field(10.0, gt=0, description="Seconds to open a connection.")
    timeout_default: float = Field(30.0, gt=0, description="Seconds for an ordinary call.")
    timeout_short: float = Field(15.0, gt=0, description="Seconds for counts and probes.")
    timeout_long: float = Field(180.0, gt=0, description="Seconds for bulk detection pulls.")
    timeout_auth: float = Field(30.0, gt=0, description="Seconds for the gateway token call.")

    verify_tls: bool = Field(
        True, description="Verify Qualys TLS certificates (QUALYS_VERIFY_TLS); never off in use."
    )
    ca_bundle: Path | None = Field(
        None,
        description=(
            "PEM file of extra CA certificates trusted in addition to the default store "
            "(QUALYS_CA_BUNDLE), e.g. for a TLS-inspecting proxy. The default store itself "
            "follows the standard SSL_CERT_FILE / SSL_CERT_DIR variables."
        ),
    )
    trust_env: bool = Field(
        True,
        description=(
            "Let the HTTP client read the standard HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY "
            "and SSL_CERT_FILE / SSL_CERT_DIR variables (QUALYS_TRUST_ENV)."
        ),
    )
    requested_with: str = Field(
        "qualys-mcp", min_length=1, description="X-Requested-With header value."
    )

    kb_concurrency: int = Field(2, ge=1, le=10, description="Parallel KnowledgeBase calls.")
    default_concurrency: int = Field(
        4, ge=1, description="Parallel calls per API when Qualys advertises no concurrency limit."
    )
    max_retries: int = Field(4, ge=1, description="Attempts per call before giving up.")
    max_wait_seconds: float = Field(
        60.0,
        ge=0,
        description="Longest single rate/concurrency-limit wait accepted before RateLimited.",
    )
    cache_ttl: dict[str, Annotated[float, Field(ge=0)]] = Field(
        default_factory=dict,
        description=(
            "Cache TTL in seconds per tier (0 disables the tier): QUALYS_CACHE_TTL as JSON, "
            'e.g. {"kb": 7200}, and QUALYS_CACHE_TTL_<TIER>=seconds, which wins per tier.'
        ),
    )

    download_dir: Path = Field(
        default_factory=_default_download_dir,
        validation_alias="qualys_mcp_download_dir",
        description=(
            "Directory report downloads are saved in (QUALYS_MCP_DOWNLOAD_DIR); a download's "
            "output_path must lie inside it. Default: ~/Downloads/qualys-mcp."
        ),
    )

    _warned_insecure: bool = PrivateAttr(default=False)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (
            init_settings,
            _CacheTtlTierSource(settings_cls),
            env_settings,
            dotenv_settings,
            file_secret_settings,
        )

    @field_validator("pod", "username", "base_url", "gateway_url", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: Any) -> Any:
        if isinstance(value, str):
            return value.strip() or None
        return value

    @field_validator("password", mode="before")
    @classmethod
    def _empty_password_is_unset(cls, value: Any) -> Any:
        # Only "" is unset: spaces may be part of a real password.
        return None if value == "" else value

    @field_validator("download_dir")
    @classmethod
    def _expand_home(cls, value: Path) -> Path:
        return value.expanduser()

    @field_validator("cache_ttl")
    @classmethod
    def _lower_case_tiers(cls, value: dict[str, float]) -> dict[str, float]:
        return {tier.strip().lower(): ttl for tier, ttl in value.items()}

    @property
    def timeouts(self) -> Timeouts:
        """The timeout_* fields as one model."""
        return Timeouts(
            connect=self.timeout_connect,
            default=self.timeout_default,
            short=self.timeout_short,
            long=self.timeout_long,
            auth=self.timeout_auth,
        )

    @property
    def demo(self) -> bool:
        """True when no Qualys setting is given, so the simulator serves every call."""
        return not (self.pod or self.username or self.password or self.base_url or self.gateway_url)

    def resolve(self) -> Platform:
        """Check the settings together and return the URLs to call.

        Raises ConfigError with a message naming the QUALYS_* variables to fix.
        """
        if self.demo:
            return Platform(
                api_url=DEMO_API_URL,
                gateway_url=DEMO_GATEWAY_URL,
                qualysguard_url=None,
                pod=None,
                demo=True,
            )
        self._check_ca_bundle()
        if bool(self.username) != bool(self.password):
            given, missing = (
                ("QUALYS_USERNAME", "QUALYS_PASSWORD")
                if self.username
                else ("QUALYS_PASSWORD", "QUALYS_USERNAME")
            )
            raise ConfigError(
                f"QUALYS_USERNAME and QUALYS_PASSWORD must be set together: {given} is set "
                f"but {missing} is not."
            )
        pod = get_pod(self.pod) if self.pod else None
        api_url = _pick_url(self.base_url, "QUALYS_BASE_URL", pod.api_url if pod else None)
        gateway_url = _pick_url(
            self.gateway_url, "QUALYS_GATEWAY_URL", pod.gateway_url if pod else None
        )
        if not self.username:
            raise ConfigError(
                "Qualys credentials are missing: set QUALYS_USERNAME and QUALYS_PASSWORD "
                "(or unset QUALYS_POD, QUALYS_BASE_URL and QUALYS_GATEWAY_URL for demo mode)."
            )
        if api_url is None and gateway_url is None:
            raise ConfigError(
                f"No Qualys platform: set QUALYS_POD (one of {_VALID_PODS}) or both "
                "QUALYS_BASE_URL and QUALYS_GATEWAY_URL."
            )
        if gateway_url is None:
            raise ConfigError(
                "QUALYS_BASE_URL is set but the gateway is unknown: set QUALYS_GATEWAY_URL "
                f"too, or QUALYS_POD (one of {_VALID_PODS})."
            )
        if api_url is None:
            raise ConfigError(
                "QUALYS_GATEWAY_URL is set but the API host is unknown: set QUALYS_BASE_URL "
                f"too, or QUALYS_POD (one of {_VALID_PODS})."
            )
        return Platform(
            api_url=api_url,
            gateway_url=gateway_url,
            qualysguard_url=_qualysguard_url(api_url, pod),
            pod=pod.name if pod else None,
            demo=False,
        )

    def ssl_context(self) -> ssl.SSLContext | bool:
        """The `verify` value for httpx: False, a context with the extra CA bundle, or True."""
        if not self.verify_tls:
            if not self._warned_insecure:
                self._warned_insecure = True
                logger.warning(
                    "TLS certificate verification is off (QUALYS_VERIFY_TLS=false): "
                    "Qualys traffic and credentials can be intercepted."
                )
            return False
        if self.ca_bundle is None:
            return True
        self._check_ca_bundle()
        context = ssl.create_default_context()
        try:
            context.load_verify_locations(cafile=self.ca_bundle)
        except (ssl.SSLError, OSError) as exc:
            raise ConfigError(
                f"QUALYS_CA_BUNDLE {str(self.ca_bundle)!r} is not a readable PEM file of CA "
                f"certificates: {exc}."
            ) from None
        return context

    def _check_ca_bundle(self) -> None:
        if self.ca_bundle is not None and not self.ca_bundle.is_file():
            raise ConfigError(f"QUALYS_CA_BUNDLE {str(self.ca_bundle)!r} is not an existing file.")


def _pick_url(explicit: str | None, setting: str, from_pod: str | None) -> str | None:
    return normalize_url(explicit, setting=setting) if explicit else from_pod


def _qualysguard_url(api_url: str, pod: Pod | None) -> str | None:
    # The qualysguard host shares the API host's suffix; an API URL that is not a qualysapi.*
    # host (a proxy, say) says nothing about it, so fall back to the pod's.
    scheme, _, rest = api_url.partition("://")
    if rest.startswith("qualysapi."):
        return f"{scheme}://qualysguard.{rest.removeprefix('qualysapi.').split('/', 1)[0]}"
    return pod.qualysguard_url if pod else None
