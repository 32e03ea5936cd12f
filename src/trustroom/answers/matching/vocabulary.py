"""Word lists for questionnaire matching: security-domain synonyms, plain word equivalents, stop words.

Written from the vocabulary security questionnaires share (SIG, CAIQ, HECVAT, VSAQ, customer spreadsheets),
not from one question set. Phrases are matched on normalized text (lowercase, punctuation and hyphens
turned to spaces), longest first, whole words only.

- CONCEPTS: named domain concepts. Every phrase of a group folds to the group's token ("2FA",
  "two-factor" and "MFA" all become `mfa`); the token is not stemmed and counts double in the matcher's
  coverage, since naming the concept is strong evidence of the topic.
- EQUIVALENTS: ordinary words and phrases with the same meaning in a questionnaire ("client" and
  "customer"); they fold to one plain word, which is then stemmed and weighted like any other.
"""

from __future__ import annotations


def _groups(text: str) -> dict[str, tuple[str, ...]]:
    """Parse "token: phrase, phrase, ..." lines; an indented line continues the group above it."""
    groups: dict[str, tuple[str, ...]] = {}
    current = ""
    for line in text.splitlines():
        if not line.strip():
            continue
        if line[0].isspace():
            head, rest = current, line
        else:
            head, _, rest = line.partition(":")
            current = head = head.strip()
        phrases = tuple(p.strip() for p in rest.split(",") if p.strip())
        groups[head] = groups.get(head, ()) + phrases
    return groups


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


CONCEPTS: dict[str, tuple[str, ...]] = _groups(
    # Concepts a security answer bank typically answers.
    """
mfa: multi factor authentication, multi factor, multifactor, two factor authentication, two factor, 2fa,
  2 step verification, two step verification, mfa
sso: single sign on, single signon, saml, oidc, openid connect, sso, federated authentication,
  federated identity, federated login, federated, federation
idp: identity providers, identity provider, idp, okta, azure ad, azure active directory, entra id,
  microsoft entra, google workspace, active directory, adfs, onelogin, ping identity
rbac: role based access control, role based access, role based, rbac
leastprivilege: least privileged, least privilege, minimum privilege, minimal privilege, need to know
disasterrecovery: disaster recovery, dr plan, drp, dr
rto: recovery time objectives, recovery time objective, rto
rpo: recovery point objectives, recovery point objective, rpo
bcp: business continuity, bcp, bcm
bia: business impact analysis, business impact analyses, business impact assessment, bia
pentest: penetration testing, penetration tests, penetration tested, penetration test, pen testing,
  pen tests, pen tested, pen test, pentesting, pentests, pentest, vapt, ethical hacking
cve: common vulnerabilities and exposures, cves, cve
cvss: common vulnerability scoring system, cvss
vulndisclosure: responsible disclosure, coordinated disclosure, vulnerability disclosure, bug bounty,
  bug bounties, vdp
siem: security information and event management, siem
ids: intrusion detection systems, intrusion detection system, intrusion detection, intrusion prevention
  systems, intrusion prevention system, intrusion prevention, ids ips, ids
secops: security operations centre, security operations center, security operation center,
  security operations
soc2: soc 2, soc2, soc ii, soc two
ssae: ssae 18, ssae18, ssae 16, ssae16, isae 3402, isae 3000
type2: type ii, type 2, type two
iso27001: iso iec 27001, iso 27001, 27001
isms: information security management systems, information security management system, isms
soa: statement of applicability, soa
pcidss: pci dss, pci, cardholder, credit card, card data, payment card
aoc: attestation of compliance, aoc
hipaa: hipaa, electronic protected health information, protected health information, ephi, phi, hitech
baa: business associate agreements, business associate agreement, business associate addendum,
  business associates, business associate, baas, baa
gdpr: general data protection regulation, gdpr
dpa: data processing agreements, data processing agreement, data processing addendums,
  data processing addendum, data processing addenda, dpas, dpa
scc: standard contractual clauses, standard contractual clause, sccs, scc
dsr: data subject access requests, data subject access request, data subject requests,
  data subject request, data subject rights, dsars, dsar, dsrs, dsr
ccpa: california consumer privacy act, california privacy rights act, ccpa, cpra
coppa: children s online privacy protection, coppa
child: children s, children, child, kids, kid, minors, under 13, under the age of 13, under age 13
tls: transport layer security, tls, ssl, https
hsts: http strict transport security, strict transport security, hsts
atrest: at rest
backup: backups, backup, backed up, back ups, back up
intransit: in transit, in motion, over the wire, over the network
kms: key management service, key management system, key management, kms
hsm: hardware security modules, hardware security module, hsms, hsm
aes: aes 256, aes256, aes
ipallowlist: ip allowlisting, ip allowlist, ip whitelisting, ip whitelist, allowlisting, allowlist,
  whitelisting, whitelist, ip ranges, ip range, ip addresses, ip address, ip based, source ip, ips
tenant: multi tenant, multitenant, multi tenancy, single tenant, tenants, tenant
residency: data residency, data localization, data localisation, data sovereignty, data location
region: geographic regions, geographic region, geographical, geographic, geography, regions, region,
  countries, country, jurisdictions, jurisdiction
publiccloud: amazon web services, aws, microsoft azure, azure, google cloud platform, google cloud, gcp,
  public cloud
cloudprovider: cloud service providers, cloud service provider, cloud providers, cloud provider,
  hosting providers, hosting provider, iaas, paas
datacenter: data centers, data centres, data center, data centre, datacenters, datacenter
subprocessor: sub processors, sub processor, subprocessors, subprocessor, subcontractors, subcontractor,
  sub contractors, sub contractor, fourth parties, fourth party
owasp: owasp top 10, owasp top ten, owasp
xss: cross site scripting, xss
csrf: cross site request forgery, xsrf, csrf
sqli: sql injection, sqli
dast: dynamic application security testing, dast
sast: static application security testing, sast
thirdparty: third parties, third party, 3rd party, 3rd parties
preprod: pre production, preproduction, pre prod, preprod, staging, non production
production: production, prod
isolate: separated, separation, separate, segregated, segregation, segregate, isolated, isolation, isolate,
  isolating, apart, commingled, commingling
staff: employees, employee, staff members, staff, personnel, workforce, workers
"""
    # Concepts of the field that a bank may have no entry for. Naming them matters as much as naming the
    # ones it answers: a question about "incident response" or "full-disk encryption" then carries a
    # concept no entry contains, loses coverage and abstains, instead of matching on its plain words
    # ("plan", "tested", "encryption").
    """
incidentresponse: incident response, incident management, incident handling, security incidents,
  security incident
breachnotification: breach notification, data breaches, data breach, breach
riskassessment: risk assessments, risk assessment, risk analysis, risk analyses, risk register,
  risk management
vendorrisk: third party risk management, vendor risk management, supplier risk management, vendor risk,
  supplier risk, vendor management, supplier management, supplier security, vendor security
backgroundcheck: background checks, background check, background screening, background investigations,
  pre employment screening, criminal record checks, screening
awareness: security awareness training, security awareness, awareness training, phishing simulations,
  phishing simulation, phishing tests, phishing
antimalware: anti malware, antimalware, anti virus, antivirus, malware, endpoint detection and response,
  edr, xdr
fde: full disk encryption, whole disk encryption, disk encryption, bitlocker, filevault
dlp: data loss prevention, data leakage prevention, dlp
mdm: mobile device management, mdm, byod, bring your own device
ddos: distributed denial of service, denial of service, ddos, dos attacks
waf: web application firewalls, web application firewall, waf
firewall: firewall rules, firewalls, firewall
hardening: hardening standards, secure configuration baselines, secure configuration baseline,
  configuration baselines, configuration baseline, hardening, cis benchmarks, cis benchmark
sdlc: secure software development lifecycle, secure software development life cycle,
  secure development lifecycle, software development lifecycle, software development life cycle,
  secure sdlc, sdlc, secure coding
codereview: peer code reviews, peer code review, code reviews, code review
changemanagement: change management, change control
password: password complexity, password policy, password requirements, passwords, password
sessiontimeout: session timeouts, session timeout, idle timeout, inactivity timeout, time out, timeout
ciso: chief information security officer, ciso, security officer
acceptableuse: acceptable use policy, acceptable use, aup
retention: data retention, retention period, retention
disposal: secure disposal, media sanitization, media sanitisation, data destruction, disposal, disposed,
  destruction, wiping
assetinventory: asset inventory, asset management, asset register, cmdb
physicalsecurity: physical access, physical security, badge access, badges, badge, cctv, visitor logs,
  visitor log, visitors
insurance: cyber liability insurance, cyber insurance, liability insurance, insurance
fedramp: fedramp
nist: nist cybersecurity framework, nist csf, nist 800 53, nist 800 171, nist, cis controls
hitrust: hitrust csf, hitrust
csastar: csa star, cloud security alliance, caiq
soc1: soc 1, soc1, soc i, soc one
otheriso: iso 27701, 27701, iso 27017, 27017, iso 27018, 27018, iso 22301, 22301, iso 9001
wireless: wireless networks, wireless network, wireless, wi fi, wifi
vpn: virtual private network, vpn
sbom: software bill of materials, sbom
"""
)

EQUIVALENTS: dict[str, tuple[str, ...]] = _groups(
    """
customer: clients, client
login: log in, logins, login, logon, sign in, signin, sign on
development: dev
test: qa, uat
sell: sold, selling, sells
frequency: how often, how frequently, how regularly, often, frequently, frequency, cadence
twentyfourseven: 24x7, 24 x 7, 24 7, 24 hours a day, around the clock, round the clock
eu: european union, european economic area, eea
usa: united states of america, united states, usa
store: kept, reside, resides, residing, persisted
alert: notified, notifies, notify, paged
recertify: re certification, re certify, re certified, revalidation, revalidated, revalidate, re validated,
  re validate, re validation
"""
)

# Question filler and function words: they carry no topic.
STOP_WORDS = _words(
    """
a an the and or but if of to in on at by for with from as into about over under is are was were be been
being am do does did doing have has had having can could would should shall will may might must you your
yours we our ours us i me my it its they them their this that these those there here what which who whom
whose when where why how any all each every some such no not than then so also please describe explain
provide detail details tell share list confirm kindly organization organisation company vendor yes
currently ever just outline indicate specify whether including include includes e g eg ie etc
"""
)

# Framing words any questionnaire question may use ("Do you maintain a documented policy ... regularly"):
# no topic.
GENERIC_WORDS = _words(
    """
maintain maintains ensure implement implemented established formal formally documented compliant comply
compliance policy policies procedure procedures process processes program programme practice practices
place regular regularly routinely use used uses using summary copy recent most latest current
"""
)

# Ordinary words of questionnaire prose (verbs, adjectives, adverbs, framing nouns) that name no topic.
# Unlike stop words they stay in the text; but when the bank has never used one, the matcher weighs it
# like a common word instead of as the rarest possible term, so "Are access rights *assigned* ...
# *according* to *requirements*?" is not taken for an unknown topic. Topic nouns (insurance, badge, laptop,
# visitor) are deliberately absent: a question built on one of those must still abstain.
COMMON_WORDS = _words(
    """
able accept accepted according achieve achieved act acting actively actual additional adequate adequately
affect affected against agree agreed aligned allow allowed allows apply applied appropriate approach
approximately arrange assign assigned assist assure available avoid aware based basis become becomes begin
belong belonging belongs best carry carried case cases certain change changed check checked choose chosen
clear clearly commit committed common complete completed concern consider considered contain contains
continue continuously cover covered create created currently customary daily decide define defined
demonstrate depend depends determine determined develop did different directly during effective
effectively either enable enabled engage engaged enough enter establish evaluate evaluated even event
example execute executed exist existing expect expected explain extent facilitate follow followed
following form full fully general generally generate generated get give given go good greater handle
handled happen help high higher identify identified immediately important include involve involved issue
issued keep kind known last least less level levels limit limited located look made make makes manage
managed manner mean means measure measures meet meets method methods need needed needs new normal
normally obtain obtained occur offer offered one only operate operated order other others otherwise own
part particular per perform performed permit permitted possible potential practical prefer prepared
present prevent prior promptly proper properly provided purpose purposes put rather reasonable receive
received regard regarding relate related relevant rely remain require required requirement requirements
respect respond result results same see set several shall similar simply since situation situations
specific specifically standard standards start state status still subject submit successful sufficient
suitable take taken target term terms through time timely times together total toward type types
typical typically undertake unless upon usual usually valid various via way ways well within without
work working yet
"""
)
