"""A held-out check set for the matcher, written independently of the shared dev set's wording: how
customers phrase each topic in other questionnaires, and questions the demo bank must not answer.

Five batches, each written before the matcher changes that followed it; docs/questionnaire-matching.md has
each batch's figures before and after. A batch that led to a change is no longer held out for that change:
the later batch is the fair measure of it."""

PARAPHRASES_FIRST: tuple[tuple[str, str], ...] = (
    ("Who signs off before an engineer gets access to customer information?", "access-control-policy"),
    ("Is least-privilege access enforced for internal tools?", "access-control-policy"),
    ("How regularly do managers recertify who has access to what?", "access-review"),
    ("Are privileged accounts reviewed every quarter?", "access-review"),
    ("What happens if an entire availability zone goes down?", "disaster-recovery"),
    ("State your RTO and RPO.", "disaster-recovery"),
    ("Have you exercised your BCP recently?", "business-continuity"),
    ("Do you run tabletop exercises for continuity scenarios?", "business-continuity"),
    ("Is an annual pen test done by an outside firm?", "penetration-testing"),
    ("Please share the date of your latest VAPT.", "penetration-testing"),
    ("Within how many hours must a critical vulnerability be patched?", "vulnerability-remediation-sla"),
    ("What is the remediation SLA for high-risk findings?", "vulnerability-remediation-sla"),
    ("Does your security testing include SQL injection and cross-site scripting?", "owasp-top-10"),
    ("Is the OWASP Top Ten part of your test scope?", "owasp-top-10"),
    ("Do your support staff need our permission to look at our account?", "employee-data-access"),
    ("Can personnel access our content without consent?", "employee-data-access"),
    ("Do you use a SIEM with alerting on suspicious events?", "security-monitoring"),
    ("Who gets notified when the logs show an attack?", "security-monitoring"),
    ("Where should a security researcher send a vulnerability report?", "vulnerability-disclosure"),
    ("Do you pay bug bounties?", "vulnerability-disclosure"),
    ("Is staging isolated from prod?", "environments"),
    ("Who is permitted to log in to production servers?", "environments"),
    ("How do you isolate tenants from each other?", "tenant-segregation"),
    ("Could another customer ever read our records?", "tenant-segregation"),
    ("Can we log in through Okta using SAML?", "sso-mfa"),
    ("Is two-factor authentication enforced for all users?", "sso-mfa"),
    ("Can access be limited to an IP whitelist?", "ip-allowlisting"),
    ("Do you offer IP-based access restrictions?", "ip-allowlisting"),
    ("Will our data remain within the European Union?", "data-residency"),
    ("In which country are our records kept?", "data-residency"),
    ("Is your infrastructure on Amazon Web Services?", "cloud-hosting"),
    ("Who is your hosting provider?", "cloud-hosting"),
    ("Are backups and databases encrypted with AES-256?", "encryption-at-rest"),
    ("How do you protect data at rest?", "encryption-at-rest"),
    ("Is TLS 1.2 or higher required for every connection?", "encryption-in-transit"),
    ("Is network traffic encrypted in transit?", "encryption-in-transit"),
    ("Do you hold an ISO/IEC 27001 certificate?", "iso-27001"),
    ("Is your ISMS certified?", "iso-27001"),
    ("Please provide your SOC 2 Type 2 audit report.", "soc2-report"),
    ("What audit period does the SOC2 report cover?", "soc2-report"),
    ("Are any subprocessors given access to our data?", "third-party-sharing"),
    ("Do you sell our information to advertisers?", "third-party-sharing"),
    ("Do credit card numbers ever touch your systems?", "pci-dss"),
    ("Are you PCI compliant?", "pci-dss"),
    ("Will you sign a BAA with us?", "hipaa"),
    ("Is the service suitable for PHI?", "hipaa"),
    ("Will you sign a DPA under the General Data Protection Regulation?", "gdpr"),
    ("How do you answer data subject access requests?", "gdpr"),
    ("Do you comply with the California Consumer Privacy Act?", "ccpa"),
    ("Is CCPA compliance in place?", "ccpa"),
    ("Is the product directed at children under 13?", "coppa"),
    ("How do you obtain parental consent under COPPA?", "coppa"),
)

OFF_TOPIC_FIRST: tuple[str, ...] = (
    "What is your parental leave policy?",
    "What is your refund policy?",
    "How many employees work in your sales department?",
    "Do you carry cyber liability insurance?",
    "What is your annual revenue?",
    "Who are your main competitors?",
    "Do you perform background checks on new hires?",
    "How is physical entry to your offices controlled?",
    "What programming languages is the product written in?",
    "Describe your anti-bribery and corruption training.",
    "Do you have a whistleblower hotline?",
    "What is your uptime for the last twelve months?",
)

# A second batch, written after the threshold was chosen on the first; it led to two bank/synonym fixes
# (cross-site scripting -> XSS, "third-party" testers in the pentest entry).
PARAPHRASES_SECOND: tuple[tuple[str, str], ...] = (
    ("Are access requests approved by a line manager?", "access-control-policy"),
    ("How often is access to critical systems re-validated?", "access-review"),
    ("Describe your failover testing.", "disaster-recovery"),
    ("Is your database replicated across zones?", "disaster-recovery"),
    ("Do you have a business continuity plan?", "business-continuity"),
    ("Do you conduct annual third-party penetration tests?", "penetration-testing"),
    ("How long do you take to patch critical vulnerabilities?", "vulnerability-remediation-sla"),
    ("Do you test for cross-site scripting?", "owasp-top-10"),
    ("Can your support team access our data?", "employee-data-access"),
    ("Are security logs centrally collected and reviewed?", "security-monitoring"),
    ("Do you have a security.txt or a way to report vulnerabilities?", "vulnerability-disclosure"),
    ("Is production data used in test environments?", "environments"),
    ("Is our data isolated from other tenants?", "tenant-segregation"),
    ("Do you support SAML-based SSO?", "sso-mfa"),
    ("Can we whitelist our IPs?", "ip-allowlisting"),
    ("Can data be hosted in the US only?", "data-residency"),
    ("Do you use a public cloud such as AWS?", "cloud-hosting"),
    ("Are your databases encrypted?", "encryption-at-rest"),
    ("Do you support TLS 1.3?", "encryption-in-transit"),
    ("Is your company ISO 27001 certified?", "iso-27001"),
    ("Do you have a SOC 2 report?", "soc2-report"),
    ("List your subprocessors.", "third-party-sharing"),
    ("Do you process payment card data?", "pci-dss"),
    ("Do you sign BAAs?", "hipaa"),
    ("Do you have a DPA for GDPR?", "gdpr"),
    ("Are you CCPA compliant?", "ccpa"),
    ("Do you collect personal information from children?", "coppa"),
)
OFF_TOPIC_SECOND: tuple[str, ...] = (
    "What is your maternity leave policy?",
    "Do you offer volume discounts?",
    "How do you onboard new sales staff?",
    "What is your office dress code?",
    "Do you sponsor visas for employees?",
    "Is there a free trial?",
    "What is your carbon footprint?",
    "Do you have a code of conduct for suppliers?",
)

# A third batch, written before the bank/synonym changes that followed it and measured first on the matcher
# as it was (see docs/questionnaire-matching.md). Phrasing in the styles of real questionnaires: SIG Lite,
# CAIQ, HECVAT, VSAQ and customer spreadsheets; imperative, yes/no, terse, and long compound questions.
PARAPHRASES_THIRD: tuple[tuple[str, str], ...] = (
    (
        "Describe how user access to production systems and customer data is requested, approved and "
        "provisioned.",
        "access-control-policy",
    ),
    (
        "Is access granted based on job role and the principle of least privilege (role-based access "
        "control)?",
        "access-control-policy",
    ),
    (
        "Does the vendor have a formal user access management process that requires authorization before "
        "access is granted?",
        "access-control-policy",
    ),
    ("Role-based access control?", "access-control-policy"),
    ("How frequently are user access rights and privileges reviewed for appropriateness?", "access-review"),
    (
        "Provide the frequency of user access recertification for systems hosting client data.",
        "access-review",
    ),
    (
        "Are dormant accounts and the accounts of terminated users identified and removed during periodic "
        "reviews?",
        "access-review",
    ),
    ("Access reviews: frequency and owner?", "access-review"),
    (
        "Describe your disaster recovery capabilities, including your recovery time objective and recovery "
        "point objective.",
        "disaster-recovery",
    ),
    ("Is the disaster recovery plan tested at least annually?", "disaster-recovery"),
    (
        "Does the vendor operate redundant infrastructure across zones or sites to support failover in the "
        "event of an outage?",
        "disaster-recovery",
    ),
    ("DR testing frequency?", "disaster-recovery"),
    (
        "Provide a summary of your business continuity management program, including how often the plan "
        "is tested.",
        "business-continuity",
    ),
    (
        "Does the vendor have a business continuity plan that addresses pandemics, loss of key personnel "
        "and office unavailability?",
        "business-continuity",
    ),
    ("Are business impact analyses and continuity exercises performed annually?", "business-continuity"),
    (
        "Are penetration tests performed on the application by an independent third party at least annually?",
        "penetration-testing",
    ),
    ("Provide the date and a summary of the most recent external penetration test.", "penetration-testing"),
    ("Pen test frequency and who performs it?", "penetration-testing"),
    (
        "Do qualified external testers assess the production environment for exploitable weaknesses on a "
        "regular basis?",
        "penetration-testing",
    ),
    (
        "What are your timelines for remediating vulnerabilities based on their severity (critical, high, "
        "medium, low)?",
        "vulnerability-remediation-sla",
    ),
    (
        "Do you have an expedited patching process for critical security vulnerabilities?",
        "vulnerability-remediation-sla",
    ),
    ("Patch management SLA?", "vulnerability-remediation-sla"),
    ("Within what time are critical CVEs remediated in production?", "vulnerability-remediation-sla"),
    ("Does your application security testing cover the OWASP Top 10 categories?", "owasp-top-10"),
    (
        "How does the application protect against injection attacks such as SQL injection and cross-site "
        "scripting?",
        "owasp-top-10",
    ),
    (
        "Describe the scope of application security testing, including authentication, authorization and "
        "session management.",
        "owasp-top-10",
    ),
    ("Is the application tested for common web vulnerabilities (e.g. CSRF, XSS, SQLi)?", "owasp-top-10"),
    (
        "Do vendor employees have access to client data? If so, describe the controls and approvals "
        "required.",
        "employee-data-access",
    ),
    (
        "Is access by your support personnel to our tenant logged and subject to customer approval?",
        "employee-data-access",
    ),
    (
        "Can your engineers view the contents of our account without our authorization?",
        "employee-data-access",
    ),
    (
        "Describe your security event logging and monitoring capabilities, including the use of a SIEM.",
        "security-monitoring",
    ),
    ("Are intrusion detection systems deployed and monitored 24/7?", "security-monitoring"),
    (
        "Are security-relevant events such as authentication failures logged and reviewed regularly?",
        "security-monitoring",
    ),
    ("Log monitoring and alerting?", "security-monitoring"),
    ("Is there a security operations center (SOC) that monitors for threats?", "security-monitoring"),
    (
        "Do you have a publicly available process for external parties to report security vulnerabilities?",
        "vulnerability-disclosure",
    ),
    (
        "Does the vendor operate a bug bounty program or a responsible disclosure policy?",
        "vulnerability-disclosure",
    ),
    (
        "How do you handle vulnerability reports submitted by security researchers?",
        "vulnerability-disclosure",
    ),
    ("Are development, test and production environments logically and physically separated?", "environments"),
    ("Is production data prohibited from use in non-production environments?", "environments"),
    ("Which roles have access to production environments?", "environments"),
    ("Segregation of dev/test/prod?", "environments"),
    (
        "In a multi-tenant environment, how is customer data logically segregated from other customers' "
        "data?",
        "tenant-segregation",
    ),
    (
        "Describe the controls that prevent one client from accessing another client's data.",
        "tenant-segregation",
    ),
    ("Is customer data stored in a dedicated or a shared database instance?", "tenant-segregation"),
    (
        "Does the application support federated authentication via SAML 2.0 or OpenID Connect?",
        "sso-mfa",
    ),
    ("Is multi-factor authentication supported for end users and administrators?", "sso-mfa"),
    ("Can we integrate the application with Azure AD or Okta for single sign-on?", "sso-mfa"),
    ("MFA for user logins?", "sso-mfa"),
    (
        "Can access to the application be restricted to specific source IP addresses or ranges?",
        "ip-allowlisting",
    ),
    (
        "Does the service support network-based access restrictions such as IP allowlists for the web UI "
        "and API?",
        "ip-allowlisting",
    ),
    ("Can logins be limited to our corporate network?", "ip-allowlisting"),
    ("In which countries or regions will our data be stored and processed?", "data-residency"),
    ("Can the customer select the geographic location where data is hosted?", "data-residency"),
    ("Will any data be stored or accessed outside the United States?", "data-residency"),
    ("Data location / hosting region?", "data-residency"),
    (
        "Identify the cloud service provider(s) and data center(s) used to host the service.",
        "cloud-hosting",
    ),
    (
        "Is the solution hosted on IaaS/PaaS (e.g., AWS, Azure, GCP) or in vendor-owned data centers?",
        "cloud-hosting",
    ),
    (
        "What assurance reports (SOC 2, ISO 27001) does your hosting provider hold?",
        "cloud-hosting",
    ),
    ("Is all client data encrypted at rest? Provide the algorithm and key length.", "encryption-at-rest"),
    (
        "Describe your key management practices for data encryption keys, including rotation.",
        "encryption-at-rest",
    ),
    ("Are database backups encrypted?", "encryption-at-rest"),
    ("Encryption at rest?", "encryption-at-rest"),
    (
        "Is all data transmitted over public networks encrypted using TLS 1.2 or higher?",
        "encryption-in-transit",
    ),
    ("Are weak protocols and ciphers (SSL v3, TLS 1.0) disabled?", "encryption-in-transit"),
    ("Encryption in transit?", "encryption-in-transit"),
    ("Is HSTS enabled on all web endpoints?", "encryption-in-transit"),
    (
        "Is the organization certified to ISO/IEC 27001? Provide the certificate and statement of "
        "applicability.",
        "iso-27001",
    ),
    (
        "Provide a copy of your current ISO 27001 certificate, including its scope and expiry date.",
        "iso-27001",
    ),
    ("Is your ISMS aligned with ISO 27001 and externally certified?", "iso-27001"),
    ("Provide your most recent SOC 2 Type II report and any bridge letter.", "soc2-report"),
    ("Has the service undergone an independent SSAE 18 / SOC 2 examination?", "soc2-report"),
    ("Which trust services criteria are in scope of your SOC 2?", "soc2-report"),
    (
        "Do you share client data with any third parties, including subcontractors or affiliates?",
        "third-party-sharing",
    ),
    ("Provide a list of sub-processors that will store or process our data.", "third-party-sharing"),
    ("Is customer data sold, rented or used for marketing purposes?", "third-party-sharing"),
    (
        "Does the vendor store, process or transmit cardholder data? If so, provide your PCI DSS Attestation "
        "of Compliance (AOC).",
        "pci-dss",
    ),
    ("What is your PCI DSS compliance level?", "pci-dss"),
    ("Are payments processed via a PCI compliant third-party payment gateway?", "pci-dss"),
    ("Will the vendor enter into a Business Associate Agreement?", "hipaa"),
    ("Does the solution meet HIPAA Security Rule safeguards for ePHI?", "hipaa"),
    ("Is protected health information (PHI) stored or processed by the service?", "hipaa"),
    (
        "Describe how the vendor complies with the EU General Data Protection Regulation as a data "
        "processor.",
        "gdpr",
    ),
    ("Do you offer a Data Processing Addendum including Standard Contractual Clauses?", "gdpr"),
    ("How are data subject rights requests (access, erasure, portability) supported?", "gdpr"),
    ("Are you compliant with the California Consumer Privacy Act (CPRA) as a service provider?", "ccpa"),
    ("How do you support consumer requests to know and delete under California privacy law?", "ccpa"),
    (
        "Do you act as a service provider under the CCPA and refrain from selling personal information?",
        "ccpa",
    ),
    ("Does the service collect personal information from children under the age of 13?", "coppa"),
    ("Describe how you obtain verifiable parental consent in accordance with COPPA.", "coppa"),
    ("Is the product intended for use by minors?", "coppa"),
)
# Security-sounding questions the demo bank has no entry for: the matcher must abstain on each.
OFF_TOPIC_SECURITY_THIRD: tuple[str, ...] = (
    "How is physical access to your offices controlled (badges, visitor logs)?",
    "Describe your process for secure disposal of hardware and media that held client data.",
    "Do you carry cyber liability insurance, and what is the coverage limit?",
    "Are background checks performed on all employees prior to hire?",
    "Is security awareness training mandatory for all employees, and how often is it delivered?",
    "Do you have a documented incident response plan, and how often is it tested?",
    "Within how many hours will you notify us of a data breach affecting our data?",
    "What anti-malware protection is deployed on endpoints and servers?",
    "Are laptops protected with full-disk encryption?",
    "What are your password complexity and rotation requirements?",
    "Do user sessions time out after a period of inactivity?",
    "Describe your secure software development lifecycle, including peer code review.",
    "How do you assess the security posture of your own vendors and suppliers?",
    "Is there a designated Chief Information Security Officer?",
    "Are mobile devices that access company email managed through MDM?",
    "Do you have DDoS protection in front of your public services?",
    "How long is customer data retained after contract termination, and how is it deleted?",
    "Are firewall rules reviewed at least every six months?",
    "Do you have hardening standards or secure configuration baselines for servers?",
    "Is the office wireless network segmented from the corporate network?",
    "Do you use data loss prevention (DLP) tools on outbound email?",
    "Is a formal information security risk assessment performed annually?",
    "Do employees sign an acceptable use policy?",
    "Is source code stored in a version control system with restricted access?",
    "Are you FedRAMP authorized?",
    "Is your security program aligned to the NIST Cybersecurity Framework or CIS Controls?",
)
# Unrelated to security: the matcher must abstain on each.
UNRELATED_THIRD: tuple[str, ...] = (
    "What are your standard payment terms for invoices?",
    "How many customer support agents do you employ?",
    "Which time zones does your support team cover?",
    "Please list three customer references in the education sector.",
    "What is the price per seat for the enterprise plan?",
    "Does the product offer a dark mode?",
    "Who is the account manager for our region?",
    "Which languages is the user interface translated into?",
    "Describe your product roadmap for the next year.",
    "Is the company minority- or women-owned?",
    "How many years has the company been in business?",
)

# A fourth batch, written after the changes that batch 3 measured and not used to tune anything: the
# clean held-out figure (docs/questionnaire-matching.md).
PARAPHRASES_FOURTH: tuple[tuple[str, str], ...] = (
    (
        "Are access rights assigned according to business requirements and approved by an authorized "
        "individual?",
        "access-control-policy",
    ),
    ("Is privileged access restricted to personnel with a business need?", "access-control-policy"),
    ("Do system owners periodically attest to the accuracy of user access lists?", "access-review"),
    ("Is there a recurring review of administrative accounts?", "access-review"),
    ("Can you describe the failover architecture and how recovery objectives are met?", "disaster-recovery"),
    ("What is the maximum tolerable data loss in a disaster scenario?", "disaster-recovery"),
    (
        "Is there a plan to continue critical operations if your headquarters becomes unavailable?",
        "business-continuity",
    ),
    ("When was the business continuity plan last exercised?", "business-continuity"),
    (
        "Are annual application and network penetration assessments carried out by accredited third parties?",
        "penetration-testing",
    ),
    ("Can a redacted copy of the latest pentest report be provided?", "penetration-testing"),
    ("What is the target time to remediate critical-severity findings?", "vulnerability-remediation-sla"),
    (
        "Are security patches applied within defined timeframes based on risk?",
        "vulnerability-remediation-sla",
    ),
    (
        "Are web applications assessed for the OWASP Top Ten vulnerability categories prior to release?",
        "owasp-top-10",
    ),
    ("What controls protect the application from injection and XSS attacks?", "owasp-top-10"),
    (
        "Which of your personnel can access customer data, and is that access approved by the customer?",
        "employee-data-access",
    ),
    (
        "Is there a process for support staff to obtain temporary access to client environments?",
        "employee-data-access",
    ),
    (
        "Does the vendor maintain a centralized log collection and correlation capability?",
        "security-monitoring",
    ),
    ("Are alerts generated for anomalous activity and investigated promptly?", "security-monitoring"),
    ("Is there a public channel for reporting security flaws in your product?", "vulnerability-disclosure"),
    ("Do you offer rewards for valid security bug reports?", "vulnerability-disclosure"),
    ("Are test environments populated with production data?", "environments"),
    ("Is there separation between developers and production systems?", "environments"),
    ("How is logical separation between customers achieved in shared infrastructure?", "tenant-segregation"),
    (
        "Can a user from one organization access data belonging to another organization?",
        "tenant-segregation",
    ),
    ("Is SAML SSO supported at no additional cost?", "sso-mfa"),
    ("Are users required to use a second factor when logging in?", "sso-mfa"),
    ("Can administrators configure allowed IP ranges for user access?", "ip-allowlisting"),
    ("Is it possible to restrict access to the platform to our VPN egress addresses?", "ip-allowlisting"),
    ("Where geographically will our institution's data reside?", "data-residency"),
    ("Is data storage restricted to a specific country upon request?", "data-residency"),
    ("Is the service hosted by a third-party cloud provider? If so, which one?", "cloud-hosting"),
    ("Do you operate your own data center or rely on a public cloud?", "cloud-hosting"),
    (
        "Are data stores, including backups, encrypted using industry standard algorithms?",
        "encryption-at-rest",
    ),
    ("Is sensitive data encrypted while stored?", "encryption-at-rest"),
    ("Is all network communication with the service encrypted?", "encryption-in-transit"),
    ("What minimum TLS version do you enforce?", "encryption-in-transit"),
    ("Does the vendor hold a current ISO 27001 certification?", "iso-27001"),
    ("Is your ISO/IEC 27001 certificate issued by an accredited registrar?", "iso-27001"),
    ("Do you have a current SOC 2 Type 2 attestation?", "soc2-report"),
    ("Can you share a SOC 2 report covering security and availability?", "soc2-report"),
    ("Will our data be disclosed to any other organizations?", "third-party-sharing"),
    ("Are subprocessors engaged to process customer personal data?", "third-party-sharing"),
    ("Is your payment processing environment PCI DSS validated?", "pci-dss"),
    ("Does the application accept or store credit card information?", "pci-dss"),
    ("Are you willing to execute a BAA?", "hipaa"),
    ("Is the service HIPAA-eligible for storing patient information?", "hipaa"),
    ("Is the vendor GDPR-compliant for personal data of EU residents?", "gdpr"),
    ("Will you enter into a data processing agreement that meets Article 28 GDPR?", "gdpr"),
    ("Do you comply with CCPA obligations regarding consumer data?", "ccpa"),
    ("How do you handle California residents' requests to opt out of data sales?", "ccpa"),
    ("Is the service compliant with the Children's Online Privacy Protection Act?", "coppa"),
    ("Do you collect information from users younger than 13?", "coppa"),
)
OFF_TOPIC_SECURITY_FOURTH: tuple[str, ...] = (
    "Are visitors escorted while in your facilities?",
    "How are lost or stolen laptops reported?",
    "Do you perform annual security awareness training for developers?",
    "How is customer data returned at the end of the contract?",
    "Do you have a documented data classification scheme?",
    "Is there a formal exception process for security policy deviations?",
    "Are USB storage devices blocked on workstations?",
    "How are TLS certificates renewed before they expire?",
    "Do you screen employees against sanctions lists?",
    "Is there an insider threat program?",
    "Are your developers trained in secure coding?",
    "Do you maintain an inventory of software and hardware assets?",
    "How do you handle legal holds and e-discovery requests?",
    "Do you use SPF, DKIM and DMARC to protect your email domains?",
    "Are privileged passwords stored in a vault?",
    "How long are backups retained?",
    "Do you have a privacy officer or a DPO?",
    "Can you provide a SOC 1 Type II report?",
    "Is the company certified to ISO 9001?",
    "Do you have a cyber incident communication plan for customers?",
)
UNRELATED_FOURTH: tuple[str, ...] = (
    "What is your company's headquarters address?",
    "How many customers do you currently serve?",
    "What are the contract renewal terms?",
    "Do you offer on-site training for our staff?",
    "What is the typical implementation timeline?",
    "Is there a mobile app for iOS and Android?",
    "Who founded the company?",
    "Do you provide an API for reporting?",
)

# A fifth batch, written after the batch-4 changes (minimum evidence, backup concept, common-word tier) and
# used only to measure them (the common-word tier was kept because it did better here than without it).
PARAPHRASES_FIFTH: tuple[tuple[str, str], ...] = (
    (
        "Are procedures established for granting and modifying user access based on job responsibilities?",
        "access-control-policy",
    ),
    ("How are new user accounts requested and authorized?", "access-control-policy"),
    (
        "Is a periodic entitlement review performed for all accounts with access to sensitive data?",
        "access-review",
    ),
    ("How frequently do you validate that user permissions remain appropriate?", "access-review"),
    (
        "Describe the redundancy of your production infrastructure and the expected recovery time after a "
        "major outage.",
        "disaster-recovery",
    ),
    ("Do you test restoration and failover procedures?", "disaster-recovery"),
    (
        "Does your company have a business continuity plan that is reviewed and tested annually?",
        "business-continuity",
    ),
    (
        "How do you ensure critical staff and suppliers remain available during a disruptive event?",
        "business-continuity",
    ),
    (
        "Has your application undergone a third-party penetration test within the last 12 months?",
        "penetration-testing",
    ),
    ("Who conducts your penetration testing and how are findings tracked to closure?", "penetration-testing"),
    (
        "Describe your vulnerability management program, including remediation timelines by severity.",
        "vulnerability-remediation-sla",
    ),
    ("How soon after discovery are high-severity vulnerabilities resolved?", "vulnerability-remediation-sla"),
    ("Does your testing methodology address the OWASP Top 10 risks?", "owasp-top-10"),
    (
        "Are injection, broken authentication and cross-site scripting included in application security "
        "tests?",
        "owasp-top-10",
    ),
    (
        "Do your employees require customer authorization before accessing customer data for "
        "troubleshooting?",
        "employee-data-access",
    ),
    (
        "Describe how vendor staff access to customer information is restricted and monitored.",
        "employee-data-access",
    ),
    ("Do you employ a SIEM or similar tool to aggregate and analyze security logs?", "security-monitoring"),
    ("Is there around-the-clock monitoring for security incidents?", "security-monitoring"),
    (
        "Do you maintain a vulnerability disclosure program for external researchers?",
        "vulnerability-disclosure",
    ),
    ("How can a member of the public report a security issue to you?", "vulnerability-disclosure"),
    ("Is customer production data ever used for development or testing purposes?", "environments"),
    ("Are staging and production environments hosted separately?", "environments"),
    ("How do you ensure customer data is not accessible to other tenants?", "tenant-segregation"),
    ("Is our data stored in a separate database or schema from other customers?", "tenant-segregation"),
    ("Does the platform integrate with enterprise identity providers using SAML?", "sso-mfa"),
    ("Is two-factor authentication available for all accounts?", "sso-mfa"),
    ("Can we restrict logins to a list of approved IP addresses?", "ip-allowlisting"),
    ("Does the product allow network access restrictions by IP range?", "ip-allowlisting"),
    ("Where will our data be physically stored?", "data-residency"),
    ("Can we require that our data remain in the EU?", "data-residency"),
    ("Which hosting provider do you use for production workloads?", "cloud-hosting"),
    ("Is the service deployed in AWS, Azure, or another cloud?", "cloud-hosting"),
    ("Do you encrypt customer data at rest, and which encryption standard is used?", "encryption-at-rest"),
    ("Are stored files and database contents encrypted?", "encryption-at-rest"),
    ("Is data encrypted in transit between our users and your service?", "encryption-in-transit"),
    ("Do all web endpoints require HTTPS?", "encryption-in-transit"),
    ("Is your company ISO 27001 certified, and can you share the certificate?", "iso-27001"),
    ("What is the certification status of your ISMS?", "iso-27001"),
    ("Can you provide your latest SOC 2 Type II audit report?", "soc2-report"),
    ("Has a third-party auditor issued a SOC 2 report on your controls?", "soc2-report"),
    ("Do you share any customer data with third parties?", "third-party-sharing"),
    ("Which sub-processors will have access to our information?", "third-party-sharing"),
    ("Do you store cardholder data?", "pci-dss"),
    ("Is your organization PCI DSS compliant?", "pci-dss"),
    ("Do you sign business associate agreements with healthcare customers?", "hipaa"),
    ("Can PHI be stored on your platform in a HIPAA-compliant manner?", "hipaa"),
    ("Are you GDPR compliant?", "gdpr"),
    ("How do you respond to data subject requests under the GDPR?", "gdpr"),
    ("How do you comply with the CCPA?", "ccpa"),
    ("Do you honor California consumer deletion requests?", "ccpa"),
    ("Is your service subject to COPPA?", "coppa"),
    ("Do you knowingly collect data from children?", "coppa"),
)
OFF_TOPIC_SECURITY_FIFTH: tuple[str, ...] = (
    "Are employees required to lock their screens when away from their desks?",
    "What is your process for revoking physical keys and badges from departing staff?",
    "Do you encrypt email messages that contain sensitive data?",
    "How do you protect against ransomware?",
    "Are network devices configured according to vendor hardening guides?",
    "How often are security policies reviewed and approved by management?",
    "Do you have a formal disciplinary process for security violations?",
    "Is there a clean desk policy?",
    "Do exit interviews cover confidentiality obligations?",
    "Are non-disclosure agreements signed by all employees?",
    "How do you ensure the integrity of software updates delivered to customers (code signing)?",
    "What is your approach to threat modeling?",
    "Do you have cyber insurance that covers ransomware events?",
    "Are your offices protected by alarm systems and CCTV?",
    "How do you securely dispose of paper records?",
    "Do you use a password manager?",
    "What time synchronization source do your servers use?",
    "Is there a dedicated information security team, and how many members does it have?",
)
UNRELATED_FIFTH: tuple[str, ...] = (
    "What are your support hours?",
    "Do you provide a service level agreement for uptime?",
    "How are invoices delivered?",
    "Can we get a discount for a multi-year contract?",
    "Which browsers are supported?",
    "Do you offer professional services for data migration?",
    "What is the process for requesting a new feature?",
    "Where is your company incorporated?",
)


# name -> (paraphrases with their keys, questions that must abstain)
BATCHES: dict[str, tuple[tuple[tuple[str, str], ...], tuple[str, ...]]] = {
    "first": (PARAPHRASES_FIRST, OFF_TOPIC_FIRST),
    "second": (PARAPHRASES_SECOND, OFF_TOPIC_SECOND),
    "third": (PARAPHRASES_THIRD, OFF_TOPIC_SECURITY_THIRD + UNRELATED_THIRD),
    "fourth": (PARAPHRASES_FOURTH, OFF_TOPIC_SECURITY_FOURTH + UNRELATED_FOURTH),
    "fifth": (PARAPHRASES_FIFTH, OFF_TOPIC_SECURITY_FIFTH + UNRELATED_FIFTH),
}
PARAPHRASES = tuple(pair for paraphrases, _ in BATCHES.values() for pair in paraphrases)
OFF_TOPIC = tuple(question for _, off_topic in BATCHES.values() for question in off_topic)
