"""The simulated SaaSDR control library: which SaaS applications, which controls.

Sources, and what each settles:

- Applications: the SaaSDR connector guide ("Create Connector", qualysguard.qg2.apps.qualys.com
  /ssc/help/connectors/create_connector.htm) lists Google G Suite, Microsoft Office 365 and
  Salesforce (SFDC); no Qualys source we found names others, so the simulator has these three.
- `connectorType`: the vendor's control samples (docs.qualys.com/en/saasdr/api/
  custom_control_api/get_control_details.htm, release notes 1.14.0 API) show `OFFICE365`.
  No source shows the value for the other two: `SFDC` is the vendor's own abbreviation in
  the connector guide; `GSUITE` follows its "G Suite" name (our choice).
- A control names a setting of one `entityType` (the sample: "IOS Managed App Protection
  Policy"), checks it with a JSONPath `predicate` over the records at `xpath` (`$.value`, the
  Microsoft Graph list wrapper), and keeps `evidences` (key, success and fail paths). The
  names below are written in the sample's style; the settings are the applications' own
  (Intune app protection, Entra ID, Exchange, SharePoint, Teams; Google Admin; Salesforce
  Setup), as CIS-style checks read them.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["APPLICATIONS", "CONNECTOR_TYPES", "ControlTemplate", "templates"]

APPLICATIONS = {
    "OFFICE365": "Microsoft Office 365",
    "GSUITE": "Google G Suite",
    "SFDC": "Salesforce",
}
CONNECTOR_TYPES = tuple(APPLICATIONS)

# What each application's records are read by (entityIdParam) and where its API lists them
# (xpath). OFFICE365's pair is the vendor sample's; the others are the APIs' own list keys
# (Google Admin SDK `items`, Salesforce SOQL `records`), our choice.
ENTITY_ID = {"OFFICE365": "displayName", "GSUITE": "name", "SFDC": "Id"}
XPATH = {"OFFICE365": "$.value", "GSUITE": "$.items", "SFDC": "$.records"}


@dataclass(frozen=True)
class ControlTemplate:
    connector_type: str
    name: str
    entity_type: str
    property: str
    condition: str  # the JSONPath filter body the predicate applies
    evidence_key: str


# Intune app protection settings, one control per platform as in the vendor's sample:
# (setting as the Intune console labels it, required value, Graph property, condition).
_APP_PROTECTION = (
    ("Max PIN attempts", "in '1 to 6' range", "maximumPinRetries",
     "@.maximumPinRetries >= 1 && @.maximumPinRetries <= 6"),
    ("PIN for access", "to 'Require'", "pinRequired", "@.pinRequired == true"),
    ("Simple PIN", "to 'Block'", "simplePinBlocked", "@.simplePinBlocked == true"),
    ("Select minimum PIN length", "to '6' or more", "minimumPinLength",
     "@.minimumPinLength >= 6"),
    ("Backup org data", "to 'Block'", "dataBackupBlocked", "@.dataBackupBlocked == true"),
    ("Save copies of org data", "to 'Block'", "saveAsBlocked", "@.saveAsBlocked == true"),
    ("Restrict cut, copy, and paste between other apps", "to 'Policy managed apps'",
     "allowedOutboundClipboardSharingLevel",
     "@.allowedOutboundClipboardSharingLevel == 'managedApps'"),
    ("Print org data", "to 'Block'", "printBlocked", "@.printBlocked == true"),
    ("Sync policy managed app data with native apps", "to 'Block'", "contactSyncBlocked",
     "@.contactSyncBlocked == true"),
    ("Require device compliance", "to 'Yes'", "deviceComplianceRequired",
     "@.deviceComplianceRequired == true"),
)  # fmt: skip
_PLATFORMS = (("iOS", "IOS"), ("Android", "Android"), ("Windows", "Windows"))

# (name, entityType, property, condition; "" means `@.<property> == true`)
_OFFICE365 = (
    ("Ensure multifactor authentication (MFA) is enabled for all users in administrative roles",
     "Conditional Access Policy", "grantControls", "@.state == 'enabled'"),
    ("Ensure multifactor authentication (MFA) is enabled for all users",
     "Conditional Access Policy", "grantControls", "@.state == 'enabled'"),
    ("Ensure legacy authentication is blocked by a Conditional Access policy",
     "Conditional Access Policy", "clientAppTypes", "@.state == 'enabled'"),
    ("Ensure Security Defaults are enabled when Conditional Access is not used",
     "Identity Security Defaults Enforcement Policy", "isEnabled", ""),
    ("Ensure users cannot consent to apps accessing company data on their behalf",
     "Authorization Policy", "permissionGrantPolicyIdsAssignedToDefaultUserRole",
     "@.permissionGrantPolicyIdsAssignedToDefaultUserRole.length() == 0"),
    ("Ensure users cannot register applications", "Authorization Policy",
     "allowedToCreateApps", "@.defaultUserRolePermissions.allowedToCreateApps == false"),
    ("Ensure guest user access is restricted to their own directory objects",
     "Authorization Policy", "guestUserRoleId",
     "@.guestUserRoleId == '2af84b1e-32c8-42b7-82bc-daa82404023b'"),
    ("Ensure the password expiration policy is set to never expire", "Domain",
     "passwordValidityPeriodInDays", "@.passwordValidityPeriodInDays == 2147483647"),
    ("Ensure a sign-in risk policy blocks high risk sign-ins", "Conditional Access Policy",
     "signInRiskLevels", "@.state == 'enabled'"),
    ("Ensure between two and four global admins are designated", "Directory Role",
     "members", "@.members.length() >= 2 && @.members.length() <= 4"),
    ("Ensure mailbox auditing is enabled for all user mailboxes", "Mailbox",
     "auditEnabled", ""),
    ("Ensure automatic forwarding to external domains is disabled",
     "Outbound Spam Filter Policy", "autoForwardingMode", "@.autoForwardingMode == 'Off'"),
    ("Ensure DKIM is enabled for all Exchange Online domains", "DKIM Signing Config",
     "enabled", ""),
    ("Ensure external sharing of SharePoint content is restricted to existing guests",
     "SharePoint Settings", "sharingCapability",
     "@.sharingCapability == 'existingExternalUserSharingOnly'"),
    ("Ensure OneDrive sync is restricted for unmanaged devices", "SharePoint Settings",
     "isUnmanagedSyncClientForTenantRestricted", ""),
    ("Ensure anonymous users cannot join Teams meetings", "Teams Meeting Policy",
     "allowAnonymousUsersToJoinMeeting", "@.allowAnonymousUsersToJoinMeeting == false"),
    ("Ensure external file sharing in Teams is limited to approved cloud storage services",
     "Teams Client Configuration", "allowDropBox", "@.allowDropBox == false"),
    ("Ensure Microsoft Authenticator number matching is enabled against MFA fatigue",
     "Authentication Methods Policy", "numberMatchingRequiredState",
     "@.numberMatchingRequiredState == 'enabled'"),
    ("Ensure self-service password reset is enabled for all users",
     "Authentication Methods Policy", "selfServicePasswordResetEnabled", ""),
    ("Ensure unified audit log search is enabled", "Admin Audit Log Config",
     "unifiedAuditLogIngestionEnabled", ""),
)  # fmt: skip

_GSUITE = (
    ("Ensure 2-Step Verification (MFA) is enforced for all users", "Organizational Unit",
     "isEnforcedIn2Sv", ""),
    ("Ensure 2-Step Verification (MFA) is enforced for all super admin accounts", "User",
     "isEnrolledIn2Sv", ""),
    ("Ensure more than one and fewer than five super admin accounts exist", "Admin Role",
     "assignments", "@.assignments.length() > 1 && @.assignments.length() < 5"),
    ("Ensure hardware security keys are required for super admin accounts", "User",
     "securityKeyEnrolled", ""),
    ("Ensure access to less secure apps is disabled", "Organizational Unit",
     "lessSecureAppsAccess", "@.lessSecureAppsAccess == 'DISABLED'"),
    ("Ensure users are warned when they share Drive files outside the organization",
     "Drive Settings", "warnForExternalSharing", ""),
    ("Ensure Drive sharing outside the organization is restricted to allowlisted domains",
     "Drive Settings", "externalSharingMode", "@.externalSharingMode == 'ALLOWLISTED_DOMAINS'"),
    ("Ensure link sharing for new files defaults to 'Off'", "Drive Settings",
     "defaultLinkSharing", "@.defaultLinkSharing == 'OFF'"),
    ("Ensure users cannot publish Drive files to the web", "Drive Settings",
     "allowPublishingFiles", "@.allowPublishingFiles == false"),
    ("Ensure the Drive access checker is set to 'Recipients only'", "Drive Settings",
     "accessChecker", "@.accessChecker == 'RECIPIENTS_ONLY'"),
    ("Ensure shared drive managers cannot override shared drive settings", "Drive Settings",
     "allowManagersToOverrideSettings", "@.allowManagersToOverrideSettings == false"),
    ("Ensure DKIM is enabled for all mail domains", "Domain", "dkimEnabled", ""),
    ("Ensure an SPF record is published for all mail domains", "Domain", "spfRecord",
     "@.spfRecord != null"),
    ("Ensure a DMARC record with policy 'quarantine' or 'reject' is published", "Domain",
     "dmarcPolicy", "@.dmarcPolicy in ['quarantine', 'reject']"),
    ("Ensure automatic email forwarding is disabled", "Gmail Settings",
     "allowAutoForwarding", "@.allowAutoForwarding == false"),
    ("Ensure POP and IMAP access is disabled for all users", "Gmail Settings",
     "popImapEnabled", "@.popImapEnabled == false"),
    ("Ensure encrypted attachments from untrusted senders are protected", "Gmail Settings",
     "protectEncryptedAttachments", ""),
    ("Ensure enhanced pre-delivery message scanning is enabled", "Gmail Settings",
     "enhancedPreDeliveryScanning", ""),
    ("Ensure spoofing and authentication protection is enabled", "Gmail Settings",
     "spoofingProtection", ""),
    ("Ensure users cannot authorize unconfigured third-party apps",
     "Third-party App Access", "unconfiguredAppsAccess",
     "@.unconfiguredAppsAccess == 'BLOCKED'"),
    ("Ensure mobile devices require a screen lock", "Mobile Device Policy",
     "requireScreenLock", ""),
    ("Ensure advanced mobile management is enabled", "Mobile Device Policy",
     "managementLevel", "@.managementLevel == 'ADVANCED'"),
    ("Ensure external calendar sharing shows only free/busy information",
     "Calendar Settings", "externalSharing", "@.externalSharing == 'FREE_BUSY_ONLY'"),
    ("Ensure only organization users can view group conversations", "Groups Settings",
     "whoCanViewGroup", "@.whoCanViewGroup == 'ALL_IN_DOMAIN_CAN_VIEW'"),
    ("Ensure only users in the organization can join Google Meet meetings by default",
     "Meet Settings", "defaultJoinRestriction", "@.defaultJoinRestriction == 'DOMAIN'"),
    ("Ensure external Google Chat is restricted to allowlisted domains", "Chat Settings",
     "externalChatRestriction", "@.externalChatRestriction == 'ALLOWLISTED_DOMAINS'"),
    ("Ensure the employee ID login challenge is enabled", "Login Challenge",
     "employeeIdChallenge", ""),
    ("Ensure the minimum password length is 14 or more", "Password Policy",
     "minimumLength", "@.minimumLength >= 14"),
    ("Ensure password reuse is prevented", "Password Policy", "allowReuse",
     "@.allowReuse == false"),
    ("Ensure web session duration is 12 hours or less", "Organizational Unit",
     "webSessionDurationHours", "@.webSessionDurationHours <= 12"),
)  # fmt: skip

_SFDC = (
    ("Ensure multi-factor authentication (MFA) is required for all direct UI logins",
     "Session Settings", "requireMfaForUiLogins", ""),
    ("Ensure multi-factor authentication (MFA) is required for API logins of admin users",
     "Profile", "requireMfaForApiLogins", ""),
    ("Ensure the session timeout is 2 hours or less", "Session Settings", "sessionTimeout",
     "@.sessionTimeout <= 120"),
    ("Ensure sessions are locked to the IP address from which they originated",
     "Session Settings", "lockSessionsToIp", ""),
    ("Ensure clickjack protection is enabled for Visualforce pages", "Session Settings",
     "enableClickjackNonsetupUser", ""),
    ("Ensure the HttpOnly attribute is required for session cookies", "Session Settings",
     "requireHttpOnly", ""),
    ("Ensure CSRF protection is enabled on GET requests", "Session Settings",
     "enableCsrfOnGet", ""),
    ("Ensure identity verification is required for email address changes",
     "Session Settings", "identityConfirmationOnEmailChange", ""),
    ("Ensure the minimum password length is 12 or more", "Password Policy",
     "minimumPasswordLength", "@.minimumPasswordLength >= 12"),
    ("Ensure password complexity requires upper, lower, numeric and special characters",
     "Password Policy", "complexity", "@.complexity == 'UpperLowerCaseNumericSpecialCharacters'"),
    ("Ensure user passwords expire within 90 days", "Password Policy", "expiration",
     "@.expiration <= 90"),
    ("Ensure at least 5 previous passwords are remembered", "Password Policy",
     "historyRestriction", "@.historyRestriction >= 5"),
    ("Ensure maximum invalid login attempts is 5 or less", "Password Policy",
     "maxLoginAttempts", "@.maxLoginAttempts <= 5"),
    ("Ensure the lockout effective period is 30 minutes or more", "Password Policy",
     "lockoutInterval", "@.lockoutInterval >= 30"),
    ("Ensure the 'Modify All Data' permission is limited to administrators", "Profile",
     "permissionsModifyAllData", "@.permissionsModifyAllData == false"),
    ("Ensure the 'View All Data' permission is limited to administrators", "Profile",
     "permissionsViewAllData", "@.permissionsViewAllData == false"),
    ("Ensure the 'Author Apex' permission is not granted to non-admin users",
     "Permission Set", "permissionsAuthorApex", "@.permissionsAuthorApex == false"),
    ("Ensure the 'Customize Application' permission is limited to administrators",
     "Permission Set", "permissionsCustomizeApplication",
     "@.permissionsCustomizeApplication == false"),
    ("Ensure the 'API Enabled' permission is limited to integration users", "Profile",
     "permissionsApiEnabled", "@.permissionsApiEnabled == false"),
    ("Ensure login IP ranges are defined for administrator profiles", "Login IP Range",
     "startAddress", "@.startAddress != null"),
    ("Ensure trusted IP ranges do not include the whole internet", "Network Access",
     "startAddress", "@.startAddress != '0.0.0.0'"),
    ("Ensure connected apps are restricted to admin-approved users", "Connected App",
     "permittedUsers", "@.permittedUsers == 'AdminApprovedUsers'"),
    ("Ensure connected app refresh tokens expire", "Connected App", "refreshTokenPolicy",
     "@.refreshTokenPolicy != 'infinite'"),
    ("Ensure the organization-wide default for external Account access is 'Private'",
     "Sharing Settings", "defaultAccountExternalAccess",
     "@.defaultAccountExternalAccess == 'Private'"),
    ("Ensure secure guest user record access is enabled", "Sharing Settings",
     "secureGuestAccess", ""),
    ("Ensure guest users cannot see other members of Experience Cloud sites", "Site",
     "guestMemberVisibility", "@.guestMemberVisibility == false"),
    ("Ensure the Security Health Check score is 80 or more", "Security Health Check",
     "score", "@.score >= 80"),
    ("Ensure users inactive for 90 days are deactivated", "User", "lastLoginDate",
     "@.isActive == false || @.daysSinceLastLogin <= 90"),
    ("Ensure the single sign-on certificate is not expired", "Certificate",
     "expirationDate", "@.daysToExpiry > 0"),
    ("Ensure CSP trusted sites do not allow every domain", "CSP Trusted Site",
     "endpointUrl", "@.endpointUrl != 'https://*'"),
)  # fmt: skip


def _words(name: str) -> str:
    """A Graph-style property name as words (maximumPinRetries -> 'Maximum pin retries')."""
    spaced = "".join(f" {c.lower()}" if c.isupper() else c for c in name).strip()
    return spaced[:1].upper() + spaced[1:]


def _plain(connector: str, rows: tuple[tuple[str, str, str, str], ...]) -> list[ControlTemplate]:
    return [
        ControlTemplate(
            connector, name, entity, prop, condition or f"@.{prop} == true", _words(prop)
        )
        for name, entity, prop, condition in rows
    ]


def templates() -> list[ControlTemplate]:
    """Every built-in control of the library, in a fixed order."""
    found: list[ControlTemplate] = []
    for setting, value, prop, condition in _APP_PROTECTION:
        for label, entity in _PLATFORMS:
            found.append(
                ControlTemplate(
                    "OFFICE365",
                    f"Ensure that '{setting}' setting is configured {value} for the {label} "
                    "device app protection policy",
                    f"{entity} Managed App Protection Policy",
                    prop,
                    condition,
                    setting,
                )
            )
    found += _plain("OFFICE365", _OFFICE365)
    found += _plain("GSUITE", _GSUITE)
    found += _plain("SFDC", _SFDC)
    return found
