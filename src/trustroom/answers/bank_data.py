"""Demo Co's answer bank as plain data: one entry per topic of the demo questionnaire.

Facts follow the demo organization (compliance/demo.py, assessments/demo_data.py, the SLA policy defaults);
where the demo states nothing, the answer is a plausible demo-company one. Fictional: Demo Co does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from trustroom.answers.matching import BankEntry


@dataclass(frozen=True)
class DemoAnswer:
    key: str
    question: str
    variants: tuple[str, ...]
    short_answer: str
    detailed_answer: str
    tags: tuple[str, ...]


def _tags(text: str) -> tuple[str, ...]:
    """Tags written as one comma-separated line."""
    return tuple(tag.strip() for tag in text.split(","))


DEMO_BANK: tuple[DemoAnswer, ...] = (
    DemoAnswer(
        "access-control-policy",
        "How is access to systems and customer data granted?",
        (
            "Do you follow the principle of least privilege?",
            "Who approves requests for access to internal systems?",
            "Is access provisioned only when there is a business need?",
            "What is your access control policy?",
            "Do you use role-based access control (RBAC)?",
            "Describe your user access management and provisioning process.",
            "Must a manager authorize an access request before it is fulfilled?",
            "Who authorizes access to production systems and customer data?",
            "Are user permissions assigned by job function?",
        ),
        "On a need-to-know basis, approved by the requester's manager or business-unit head.",
        "Access to systems and customer data is granted by role on a need-to-know basis. Each request is "
        "raised in the ticketing system and approved by the requester's manager or business-unit head "
        "before it is provisioned; access is removed on role change or departure.",
        _tags(
            "access control, least privilege, need to know, authorization, provisioning, rbac, role based "
            "access, access request, approval, user access management"
        ),
    ),
    DemoAnswer(
        "access-review",
        "How often are access rights reviewed, and by whom?",
        (
            "Do you perform periodic user access reviews?",
            "Are user entitlements recertified on a regular schedule?",
            "How do you make sure leavers and role changers lose their permissions?",
            "What is the cadence of privileged account reviews?",
            "How often are user accounts and privileges recertified, and who signs off?",
            "Are inactive, dormant or orphaned accounts found and disabled?",
            "Are administrator and service accounts reviewed periodically?",
            "Who performs user access reviews, and how are the results tracked?",
            "Are access rights revalidated for appropriateness?",
        ),
        "At least quarterly, by each system's owner with the security team.",
        "Access rights are reviewed at least every quarter. System owners confirm or revoke each account "
        "and permission; the security team tracks the review to completion and keeps its record.",
        _tags(
            "access review, recertification, entitlements, quarterly, user access review, privileged "
            "accounts, dormant accounts, revalidation, system owner"
        ),
    ),
    DemoAnswer(
        "disaster-recovery",
        "What is your disaster recovery policy?",
        (
            "How would you restore service after the loss of a data center?",
            "Do you run failover drills, and how often?",
            "What are your recovery time and recovery point objectives (RTO/RPO)?",
            "Is the platform deployed across several availability zones?",
            "Is the DR plan exercised on a schedule, and are the results reviewed?",
            "Is the service highly available, with redundant infrastructure?",
            "How is data replicated so the service can fail over during an outage?",
            "What happens to the service if a whole site or zone becomes unavailable?",
            "Is there a documented IT disaster recovery plan?",
        ),
        "Multi-zone deployment, a database cluster across zones, failover drills twice a year.",
        "Production runs in several availability zones of its region and the database cluster replicates "
        "across zones, so the loss of one zone fails over automatically. Failover drills run twice a year "
        "and their results are reviewed. Demo targets: RTO 4 hours, RPO 15 minutes.",
        _tags(
            "disaster recovery, failover, rto, rpo, availability zones, resilience, redundancy, high "
            "availability, replication, outage, dr test"
        ),
    ),
    DemoAnswer(
        "business-continuity",
        "What is your business continuity process?",
        (
            "Do you have a BCP, and is it exercised?",
            "Do you hold tabletop exercises for business disruption scenarios?",
            "How would the company keep operating through a major disruption?",
            "Is there a continuity plan covering people, suppliers and offices?",
            "Describe your business continuity management (BCM) programme.",
            "Have you performed a business impact analysis (BIA) of critical processes?",
            "How often is the continuity plan tested and updated?",
            "How would critical business functions continue during a crisis or pandemic?",
            "Does the plan address the loss of key staff, premises or a critical supplier?",
        ),
        "A business continuity plan reviewed yearly and exercised with tabletop exercises that produce "
        "tracked action items.",
        "Demo Co keeps a business continuity plan covering critical processes, people and suppliers. It is "
        "reviewed every year and exercised in tabletop exercises; each exercise produces action items "
        "tracked to closure.",
        _tags(
            "business continuity, bcp, tabletop exercise, resilience, business impact analysis, crisis "
            "management, continuity testing, pandemic"
        ),
    ),
    DemoAnswer(
        "penetration-testing",
        "How often are penetration tests performed, and by whom?",
        (
            "Do independent third-party security firms test your applications?",
            "Is your pentest vendor CERT-In empanelled?",
            "Are findings from VAPT retested after they are fixed?",
            "When was your last penetration test?",
            "Do you perform vulnerability assessments of your products?",
            "Is the application penetration tested at least annually by an external firm?",
            "Can you share an executive summary or attestation letter from your latest pen test?",
            "Do qualified security specialists perform manual testing of the platform?",
            "What is the scope and frequency of your penetration tests?",
            "Do you commission red team or ethical hacking exercises?",
        ),
        "External vendors (one CERT-In empanelled) test critical applications at least twice a year, the "
        "partner API quarterly; fixes are retested by the vendor.",
        "Critical applications are tested by external vendors at least twice a year and the partner API "
        "every quarter; one vendor is CERT-In empanelled. Findings are fixed within their SLA and retested "
        "by the vendor within 30 days of the fix. A safe-to-host certificate is issued when a test finds "
        "nothing open.",
        _tags(
            "penetration testing, vapt, external vendor, retest, cert-in, independent testers, red team, "
            "pentest report, manual testing"
        ),
    ),
    DemoAnswer(
        "vulnerability-remediation-sla",
        "How quickly are vulnerabilities fixed, by severity?",
        (
            "What is your patching SLA for security issues?",
            "How long does it take to remediate a critical finding?",
            "What deadlines apply to fixing high, medium and low risk issues?",
            "Do you have defined time frames for vulnerability remediation?",
            "Describe your patch management process and its timelines.",
            "How quickly are critical and high CVEs patched?",
            "Is there an emergency process for zero-day or actively exploited vulnerabilities?",
            "Are remediation deadlines set by CVSS score or risk rating?",
            "How are security updates applied to servers and dependencies?",
        ),
        "Critical within 4 hours, high within 48 hours, medium within 2 weeks, low before the next test.",
        "Remediation deadlines are fixed when a finding is detected: critical within 4 hours (target 2), "
        "high within 48 hours (target 24), medium within 2 weeks (target 1), low before the next scheduled "
        "test. Breaches are reported to the security team.",
        _tags(
            "remediation, sla, patching, severity, vulnerability management, patch management, cve, cvss, "
            "security updates, time to fix"
        ),
    ),
    DemoAnswer(
        "owasp-top-10",
        "Are applications tested against the OWASP Top 10?",
        (
            "Which areas does a pentest of your application cover?",
            "Do security tests cover injection flaws such as SQL injection and XSS?",
            "Are authentication, session management and privilege escalation tested?",
            "How do you protect against common web application vulnerabilities?",
            "Is the application tested for cross-site request forgery (CSRF) and broken access control?",
            "Do you run dynamic application security testing (DAST) against the OWASP Top 10?",
            "How does the application validate input and encode output?",
            "Does application security testing follow OWASP ASVS or a similar standard?",
        ),
        "Yes: every test covers the OWASP Top 10, including authentication and session handling, "
        "authorization and privilege escalation, injection (SQLi, XSS and others) and platform "
        "configuration.",
        "Each engagement's scope includes the OWASP Top 10: authentication and session management, "
        "authorization and privilege escalation, injection (SQL injection, cross-site scripting and others) "
        "and platform configuration. Static analysis in CI adds checks for the same classes.",
        _tags(
            "owasp, injection, xss, sql injection, web application security, scope, csrf, application "
            "security testing, dast, sast, input validation, session management"
        ),
    ),
    DemoAnswer(
        "employee-data-access",
        "Can staff see customer data?",
        (
            "Do support engineers have access to our data?",
            "Under what conditions may your personnel access customer content?",
            "Is customer consent needed before your staff look at our account?",
            "Is employee access to customer information logged?",
            "Can your employees or contractors view our data, and under what controls?",
            "Do your administrators have standing access to customer content?",
            "Is support access to a customer account time-limited and approved by the customer?",
            "Which of your engineers can read customer records, and is that audited?",
            "Do you use just-in-time or break-glass access for customer data?",
        ),
        "Only with the customer's consent, for a support case, time-limited and logged.",
        "Staff have no standing access to customer data. Support can view an account only after the "
        "customer grants consent for a specific case; the grant expires automatically and every access is "
        "logged.",
        _tags(
            "employee access, support access, consent, personnel, staff, insider access, just in time "
            "access, customer approval, access logging"
        ),
    ),
    DemoAnswer(
        "security-monitoring",
        "How are infrastructure and application logs monitored?",
        (
            "Do you have a SIEM?",
            "Who is alerted when suspicious activity is detected?",
            "Is there 24x7 security monitoring of your platform?",
            "How long are security logs retained and who reviews them?",
            "Are security events collected centrally and correlated?",
            "Do you use intrusion detection or prevention systems (IDS/IPS)?",
            "Is there a security operations center watching for threats around the clock?",
            "Are audit logs of authentication and administrative actions kept and reviewed?",
            "How are anomalies and attacks against the platform detected and escalated?",
            "Describe your log management and alerting.",
        ),
        "Logs are centralized in a SIEM with alerting rules; the on-call security engineer is paged 24x7.",
        "Infrastructure, application and audit logs go to a central SIEM. Detection rules alert the on-call "
        "security engineer around the clock; alerts are triaged as incidents when needed. Logs are kept "
        "for one year.",
        _tags(
            "monitoring, logging, siem, alerting, detection, logs, security events, intrusion detection, "
            "log management, threat detection, security operations, audit logs"
        ),
    ),
    DemoAnswer(
        "vulnerability-disclosure",
        "How can security researchers report a vulnerability?",
        (
            "Do you run a bug bounty?",
            "Is there a vulnerability disclosure policy?",
            "Do you reward researchers who report security issues?",
            "How are externally reported vulnerabilities triaged?",
            "How can external parties report a suspected security vulnerability?",
            "Do you publish a security.txt file or a security contact address?",
            "Is there a safe harbour for researchers acting in good faith?",
            "Do you take part in a bug bounty platform such as HackerOne or Bugcrowd?",
            "How quickly do you acknowledge a vulnerability report?",
        ),
        "Through the published vulnerability disclosure policy (security.txt); reports are triaged within 2 "
        "business days and valid ones are rewarded.",
        "Researchers report to the address in the published vulnerability disclosure policy and "
        "security.txt. Reports are acknowledged and triaged within 2 business days and fixed within the "
        "remediation SLA; valid reports receive a reward and credit.",
        _tags(
            "vulnerability disclosure, bug bounty, security researchers, security.txt, security contact, "
            "vulnerability report, safe harbor"
        ),
    ),
    DemoAnswer(
        "environments",
        "Do you keep separate environments for testing, staging and production?",
        (
            "Who can access the production environment?",
            "Is real customer data used in testing?",
            "Are non-production environments isolated from production?",
            "How do code changes move from development to production?",
            "Are development, test and production environments segregated?",
            "Is live production data ever copied into development or QA?",
            "Which engineers have access to production, and how is it approved?",
            "Do changes reach production only through a reviewed release pipeline?",
            "Are dev, test and prod run in separate accounts or networks?",
        ),
        "Testing, demo, pre-production, staging and production are separate; only on-call engineers can "
        "reach production, through approved access.",
        "Each environment (testing, demo, pre-production, staging, production) runs in its own account and "
        "network. Production data is never copied to other environments. Production is reachable only by "
        "on-call engineers through approved, logged, time-limited access; changes reach it only through the "
        "reviewed deployment pipeline.",
        _tags(
            "environments, production, staging, change management, segregation, development environment, "
            "test environment, production access, test data, deployment"
        ),
    ),
    DemoAnswer(
        "tenant-segregation",
        "How is one customer's data kept apart from another's?",
        (
            "Is the platform multi-tenant?",
            "What prevents another customer from reading our data?",
            "Do customers share a database?",
            "How is tenant isolation enforced?",
            "Is each customer's data logically isolated?",
            "Is our data commingled with other clients' data?",
            "Do you offer a dedicated single-tenant instance or a shared one?",
            "How do you prevent data leakage between customers?",
            "Is row-level security or a per-customer key used to separate tenants?",
        ),
        "Every record belongs to one organization; the database enforces row-level security per tenant.",
        "The service is multi-tenant. Every record carries its organization, each request runs in that "
        "organization's scope, and the database enforces row-level security so a query cannot read another "
        "tenant's rows. Cross-tenant tests run on every change.",
        _tags(
            "tenant isolation, multi-tenancy, segregation, row level security, logical separation, shared "
            "database, dedicated instance, cross-tenant"
        ),
    ),
    DemoAnswer(
        "sso-mfa",
        "Do you support single sign-on and multi-factor authentication?",
        (
            "Can our users log in with our identity provider?",
            "Is MFA available or enforced for user accounts?",
            "Which SSO protocols do you support?",
            "Can administrators require two-factor authentication?",
            "Does the application support federated login through Okta, Azure AD or Google Workspace?",
            "Can MFA be enforced for every user of our organization?",
            "Which second factors are supported, such as authenticator apps or security keys?",
            "Is SAML 2.0 or OpenID Connect available for user sign-in?",
            "Is strong authentication required for administrators of our account?",
        ),
        "Yes: SAML 2.0 and OpenID Connect single sign-on, and MFA (authenticator apps, security keys) that "
        "an organization's administrators can enforce.",
        "Customers can sign in through their identity provider with SAML 2.0 or OpenID Connect. Multi-"
        "factor authentication with authenticator apps or security keys is available to every user and can "
        "be required for a whole organization.",
        _tags(
            "sso, mfa, authentication, identity provider, login, federation, saml, totp, webauthn, "
            "security keys, strong authentication"
        ),
    ),
    DemoAnswer(
        "ip-allowlisting",
        "Can customers restrict access by IP address?",
        (
            "Do you support IP allowlisting?",
            "Can we limit logins to our office network?",
            "Is it possible to block access from outside our VPN?",
            "Can access be restricted to our corporate IP ranges?",
            "Does the service support IP-based restrictions for the web UI and the API?",
            "Can we restrict API calls by source IP?",
            "Can sign-in be allowed only from trusted networks?",
        ),
        "Yes: organization administrators can set an IP allowlist for sign-in and the API.",
        "Administrators can list the IP ranges (CIDR) allowed to sign in and call the API; requests from "
        "other addresses are refused and logged.",
        _tags(
            "ip allowlisting, network restriction, cidr, ip restriction, source ip, trusted networks, "
            "corporate network"
        ),
    ),
    DemoAnswer(
        "data-residency",
        "Where is customer data stored?",
        (
            "Can we choose the region our data stays in?",
            "Is our data ever transferred outside the EU?",
            "Which countries host our data?",
            "How do you enforce data residency?",
            "In which geographic locations is customer data stored and processed?",
            "Can we select whether our data is hosted in the EU or the US?",
            "Is customer data ever moved across borders?",
            "Does our data stay within our jurisdiction, including backups?",
            "Where are your data centers located?",
        ),
        "In the region chosen at sign-up (EU or US); data and backups stay in that region.",
        "Each organization chooses its region (EU or US) at sign-up. Its data, backups and processing stay "
        "in that region, enforced by region-bound storage and infrastructure; data of US customers can stay "
        "in a US data center region.",
        _tags(
            "data residency, region, location, data localization, sovereignty, data location, hosting "
            "location, geographic, country, cross-border transfer"
        ),
    ),
    DemoAnswer(
        "cloud-hosting",
        "Which cloud provider hosts production?",
        (
            "Where is the service hosted?",
            "Do you use AWS, Azure or Google Cloud?",
            "What certifications does your hosting provider hold?",
            "Do you run your own data centers?",
            "Who is your cloud service provider (CSP)?",
            "Is the product hosted in a public cloud, a colocation facility or on premises?",
            "Which infrastructure-as-a-service provider runs production?",
            "How do you review the security of your hosting provider?",
        ),
        "A major public cloud provider (demo: AWS), whose data centers are ISO 27001 certified and SOC 2 "
        "audited.",
        "Production is hosted on a major public cloud provider (in the demo, AWS) across several "
        "availability zones. Its data centers hold ISO/IEC 27001 certification and SOC 2 reports, reviewed "
        "yearly as part of supplier management. Demo Co runs no data centers of its own.",
        _tags(
            "cloud, hosting, aws, infrastructure, data center, cloud provider, iaas, hosting provider, "
            "public cloud"
        ),
    ),
    DemoAnswer(
        "encryption-at-rest",
        "Is stored data encrypted?",
        (
            "What encryption do you use for data at rest?",
            "Are databases and backups encrypted?",
            "How are encryption keys managed?",
            "Is stored customer data protected with AES-256?",
            "Which algorithm and key length protect stored data?",
            "Are encryption keys kept in a KMS or HSM and rotated?",
            "Are file storage, object storage and database volumes encrypted?",
            "Is customer data encrypted in storage and in backups?",
        ),
        "Yes: AES-256 for databases, files and backups, with keys in a managed key service and rotated "
        "yearly.",
        "Databases, file storage and backups are encrypted with AES-256. Keys are held in the cloud "
        "provider's key management service, access to them is restricted and logged, and they are rotated "
        "every year.",
        _tags(
            "encryption, at rest, aes, key management, storage, aes-256, kms, key rotation, database "
            "encryption, backup encryption"
        ),
    ),
    DemoAnswer(
        "encryption-in-transit",
        "Is data encrypted in transit?",
        (
            "Which TLS versions do you support?",
            "Are connections to your service protected with HTTPS?",
            "Is traffic between your internal services encrypted?",
            "Is data encrypted when sent over public networks?",
            "Are outdated protocols such as SSL and early TLS disabled?",
            "Is HTTP Strict Transport Security (HSTS) enabled?",
            "Is data in motion protected with strong ciphers?",
            "Are API calls encrypted in transit?",
        ),
        "Yes: TLS 1.2 or later everywhere, HSTS on the web, older protocols disabled.",
        "All connections use TLS 1.2 or later with modern ciphers; TLS 1.0 and 1.1 are disabled and HSTS is "
        "set. Traffic between internal services is encrypted as well.",
        _tags(
            "encryption, in transit, tls, https, network, hsts, ciphers, data in motion, secure transmission"
        ),
    ),
    DemoAnswer(
        "iso-27001",
        "Are you ISO/IEC 27001 certified?",
        (
            "Can you provide your ISO 27001 certificate?",
            "Is your information security management system certified?",
            "When does your ISO certification expire?",
            "What is the scope of your ISO 27001 certification?",
            "Can you share your Statement of Applicability?",
            "Which certification body audits your ISMS, and when was the last surveillance audit?",
            "Do you hold an accredited ISO/IEC 27001:2022 certificate?",
        ),
        "Yes: ISO/IEC 27001:2022, valid for three years with yearly surveillance audits (the certificate is "
        "in the trust center).",
        "Demo Co's information security management system is certified against ISO/IEC 27001:2022 by an "
        "accredited certification body, valid for three years subject to yearly surveillance audits. The "
        "previous ISO/IEC 27001:2013 certificate has expired and is not presented as valid.",
        _tags(
            "iso 27001, certification, isms, audit, statement of applicability, certificate, surveillance "
            "audit, certification body"
        ),
    ),
    DemoAnswer(
        "soc2-report",
        "Do you have a SOC 2 Type 2 report?",
        (
            "What period does your latest SOC 2 audit cover?",
            "Has an independent auditor attested to your controls?",
            "Can we get a copy of your SOC report under NDA?",
            "Do you have an SSAE 18 attestation report?",
            "Which Trust Services Criteria are in the scope of your SOC 2 examination?",
            "Is a bridge letter available for the time since the last SOC 2 period?",
            "Were there exceptions in your most recent SOC 2 Type II report?",
        ),
        "Yes: a yearly SOC 2 Type 2 report over consecutive twelve-month audit periods, available in the "
        "trust center under NDA.",
        "A licensed CPA firm issues a SOC 2 Type 2 report every year, covering security, availability, "
        "processing integrity, confidentiality and privacy over a twelve-month audit period; the newest "
        "report supersedes the previous one and can be requested in the trust center.",
        _tags(
            "soc 2, type 2, attestation, audit report, ssae 18, trust services criteria, bridge letter, "
            "cpa firm"
        ),
    ),
    DemoAnswer(
        "third-party-sharing",
        "Is customer data shared with third parties?",
        (
            "Which subprocessors handle our data?",
            "Do you sell personal data?",
            "Do you disclose customer information to partners or advertisers?",
            "Do subcontractors or sub-processors have access to our data?",
            "Is customer data ever used for advertising or marketing?",
            "Do you pass client data to affiliates or other outside companies?",
            "Where is your current list of subprocessors published?",
            "Are third parties that receive our data bound by a contract?",
        ),
        "No selling and no sharing, except with the listed subprocessors that run the service, under "
        "contract.",
        "Demo Co never sells customer data and shares it only with the subprocessors listed in the trust "
        "center, each bound by a data processing agreement and used only to run the service.",
        _tags(
            "third party, subprocessors, data sharing, privacy, subcontractors, sale of data, marketing, "
            "disclosure"
        ),
    ),
    DemoAnswer(
        "pci-dss",
        "Are you PCI DSS compliant?",
        (
            "Do you handle credit card numbers?",
            "How are card payments processed?",
            "Is PCI DSS applicable to your service?",
            "Do you store, process or transmit card data?",
            "Can you provide a PCI DSS Attestation of Compliance (AOC)?",
            "What is your PCI merchant or service provider level?",
            "Is a third-party payment processor used for card transactions?",
            "Is cardholder data in scope of your environment?",
        ),
        "Not applicable: payments go through a PCI DSS compliant processor's hosted checkout; card data "
        "never reaches Demo Co.",
        "Demo Co keeps no card numbers. Customers pay through a PCI DSS compliant payment processor's "
        "hosted checkout, so card data never reaches Demo Co's systems and PCI DSS does not apply to them.",
        _tags("pci dss, payments, card data, cardholder data, aoc, payment processor, merchant level"),
    ),
    DemoAnswer(
        "hipaa",
        "Are you HIPAA compliant?",
        (
            "Will you sign a business associate agreement (BAA)?",
            "Can we store protected health information in your service?",
            "How do you safeguard health data?",
            "Do you meet the HIPAA Security Rule for electronic PHI?",
            "Are HIPAA administrative and technical safeguards in place?",
            "Is the service suitable for covered entities storing health records?",
        ),
        "Yes: Demo Co acts as a business associate and signs a BAA; health data is encrypted and access to "
        "it logged and reviewed.",
        "Demo Co acts as a business associate and signs a business associate agreement with covered "
        "entities. Health data is encrypted at rest and in transit, and access to it is logged and "
        "reviewed.",
        _tags(
            "hipaa, health data, baa, phi, ephi, business associate, covered entity, security rule, hitech"
        ),
    ),
    DemoAnswer(
        "gdpr",
        "Do you comply with the GDPR?",
        (
            "Will you sign a data processing agreement?",
            "How do you handle data subject requests?",
            "Do you use standard contractual clauses for international transfers?",
            "Do you act as a data processor under the GDPR, and will you sign an Article 28 DPA?",
            "How do you help us meet data subject rights such as erasure and portability?",
            "Do you keep records of processing activities?",
            "Is the service compliant with the UK GDPR as well as the EU GDPR?",
        ),
        "Yes: a DPA with standard contractual clauses for every customer; data subject requests answered "
        "within one month.",
        "Every customer receives a data processing agreement with standard contractual clauses. Data "
        "subject requests are answered within one month and records of processing are kept current.",
        _tags(
            "gdpr, dpa, privacy, data subject rights, eu, data processor, sccs, international transfers, "
            "records of processing"
        ),
    ),
    DemoAnswer(
        "ccpa",
        "Do you comply with the CCPA?",
        (
            "How do you honour California consumers' privacy rights?",
            "Can California residents request deletion of their personal information?",
            "Are you compliant with the California privacy law?",
            "Do you act as a service provider under the CCPA/CPRA?",
            "How do you support requests to know, delete and opt out under California law?",
            "Do you sell or share personal information as the CCPA defines it?",
        ),
        "Yes: consumers' access and deletion requests are honoured through the customer's controls, and US "
        "customers' data can stay in a US region.",
        "Demo Co supports its customers' CCPA obligations: consumers' access and deletion requests are "
        "honoured through the customer's own controls, personal information is not sold, and data of US "
        "customers can stay in a US data center region.",
        _tags("ccpa, california, privacy, consumer rights, cpra, service provider, right to delete, opt out"),
    ),
    DemoAnswer(
        "coppa",
        "Do you comply with COPPA?",
        (
            "Do you collect data about children under 13?",
            "How is parental consent handled for young users?",
            "Is the service directed at children?",
            "How do you obtain verifiable parental consent?",
            "Do you knowingly collect personal information from kids?",
            "What happens to a child's data when a parent withdraws consent?",
        ),
        "Customers send data about users under 13 only with parental consent; the SDK can stop sending a "
        "user's data when consent is missing or withdrawn.",
        "Customers may send data about users under 13 only with a parent's or guardian's consent. The SDK "
        "has an opt-out switch so a customer can stop sending a user's data when consent is missing or "
        "withdrawn.",
        _tags("coppa, children, parental consent, minors, kids, age under 13, child data"),
    ),
)


def matching_entries() -> list[BankEntry]:
    """The demo bank in the matcher's input form."""
    return [
        BankEntry(
            key=a.key, question=a.question, variants=a.variants, short_answer=a.short_answer, tags=a.tags
        )
        for a in DEMO_BANK
    ]
