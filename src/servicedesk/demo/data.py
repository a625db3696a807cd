"""What the demo desk is made of: a fictional company's people, services, categories and troubles.

Danubia Logistics runs offices in Bucharest, Cluj-Napoca and Timișoara and a warehouse near
Ploiești. Everything here is plain data; `desk.py` writes it and `tickets.py` tells its stories.
"""

from dataclasses import dataclass

from servicedesk.accounts.models import Role

DOMAIN = "danubia.example"
TIME_ZONE = "Europe/Bucharest"
DEMO_PASSWORD = "demo"


@dataclass(frozen=True)
class Group:
    key: str
    name: str
    tier: int
    description: str
    manager: str  # username


@dataclass(frozen=True)
class Person:
    username: str
    first_name: str
    last_name: str
    phone: str
    language: str = "ro"
    role: str = Role.REQUESTER
    mailbox: str = ""  # the part before @ when it is not firstname.lastname
    emailed: bool = True  # False for a system (monitoring): the desk never emails it


@dataclass(frozen=True)
class ServiceEntry:
    name: str
    owner: str  # group key
    description: str


@dataclass(frozen=True)
class ItemEntry:
    name: str
    ci_type: str
    service: str


@dataclass(frozen=True)
class Question:
    text: str
    answer_type: str
    # The choices of a choice question; for a text question, answers people typically give.
    options: tuple[str, ...] = ()
    help_text: str = ""
    required: bool = False


@dataclass(frozen=True)
class Subject:
    """Something that goes wrong (an incident) or is asked for (a request), and how it ends."""

    kind: str
    title: str
    description: str
    fix: str
    # Set when the monitoring system reports it: the configuration item that raised the alert.
    alert_item: str = ""


@dataclass(frozen=True)
class Leaf:
    name: str
    description: str
    service: str
    questions: tuple[Question, ...]
    subjects: tuple[Subject, ...]
    default_group: str = ""  # group key; empty sends new tickets to the service desk (L1)
    weight: int = 2  # how often this comes up, relative to the others


@dataclass(frozen=True)
class Branch:
    name: str
    description: str
    specialists: str  # the L2 group key the service desk escalates to
    leaves: tuple[Leaf, ...]


def text(question: str, *typical: str, help_text: str = "", required: bool = False) -> Question:
    return Question(question, "text", typical, help_text, required)


def yes_no(question: str, help_text: str = "", required: bool = False) -> Question:
    return Question(question, "yes_no", (), help_text, required)


def choice(question: str, *choices: str, help_text: str = "", required: bool = False) -> Question:
    return Question(question, "choice", choices, help_text, required)


def incident(title: str, description: str, fix: str, alert_item: str = "") -> Subject:
    return Subject("incident", title, description, fix, alert_item)


def request(title: str, description: str, fix: str) -> Subject:
    return Subject("request", title, description, fix)


# ---------------------------------------------------------------------------------------------
# People and groups

GROUPS = (
    Group(
        "desk",
        "Service Desk",
        1,
        "First line: takes every call, email and portal ticket, diagnoses, fixes what it can "
        "and routes the rest.",
        "manager.desk",
    ),
    Group(
        "apps",
        "Applications",
        2,
        "Email, ERP, CRM, identity and the other business applications.",
        "manager.apps",
    ),
    Group(
        "network",
        "Network",
        2,
        "LAN, Wi-Fi, VPN, internet access and telephony.",
        "manager.infra",
    ),
    Group(
        "workplace",
        "Workplace",
        2,
        "Laptops, desktops, printers, phones, peripherals and file storage.",
        "manager.infra",
    ),
    Group(
        "engineering",
        "Engineering",
        3,
        "Platform and application engineers; on call for critical incidents.",
        "manager.eng",
    ),
    Group(
        "security",
        "Security",
        2,
        "Security operations: phishing, malware, lost devices and personal-data breaches.",
        "security",
    ),
)

STAFF = (
    Person("admin", "Adrian", "Vasilescu", "+40 721 555 100", "en", Role.ADMIN),
    Person("manager.desk", "Carmen", "Dobre", "+40 721 555 101", "ro", Role.MANAGER),
    Person("manager.apps", "Richard", "Hale", "+44 7700 900101", "en", Role.MANAGER),
    Person("manager.infra", "Sorin", "Marinescu", "+40 721 555 102", "ro", Role.MANAGER),
    Person("manager.eng", "Alina", "Petrescu", "+40 721 555 103", "ro", Role.MANAGER),
    Person("security", "Victor", "Neagu", "+40 721 555 104", "ro", Role.SECURITY_OFFICER),
    Person("agent.l1", "Elena", "Popescu", "+40 721 555 110", "ro", Role.AGENT),
    Person("andrei.matei", "Andrei", "Matei", "+40 721 555 111", "ro", Role.AGENT),
    Person("lucy.palmer", "Lucy", "Palmer", "+44 7700 900111", "en", Role.AGENT),
    Person("ioana.stanciu", "Ioana", "Stanciu", "+40 721 555 112", "ro", Role.AGENT),
    Person("agent.apps", "Mihai", "Constantin", "+40 721 555 120", "ro", Role.AGENT),
    Person("daniela.ene", "Daniela", "Ene", "+40 721 555 121", "ro", Role.AGENT),
    Person("agent.network", "Radu", "Iordache", "+40 721 555 130", "ro", Role.AGENT),
    Person("paul.reed", "Paul", "Reed", "+44 7700 900130", "en", Role.AGENT),
    Person("agent.workplace", "Cristian", "Pavel", "+40 721 555 140", "ro", Role.AGENT),
    Person("anca.zamfir", "Anca", "Zamfir", "+40 721 555 141", "ro", Role.AGENT),
    Person("agent.l3", "Tudor", "Lazăr", "+40 721 555 150", "ro", Role.AGENT),
    Person("sarah.collins", "Sarah", "Collins", "+44 7700 900150", "en", Role.AGENT),
    Person("diana.munteanu", "Diana", "Munteanu", "+40 721 555 160", "ro", Role.AGENT),
)

# Who works in which group (managers are not members: they manage, see GROUPS).
MEMBERS = {
    "desk": ("agent.l1", "andrei.matei", "lucy.palmer", "ioana.stanciu"),
    "apps": ("agent.apps", "daniela.ene"),
    "network": ("agent.network", "paul.reed"),
    "workplace": ("agent.workplace", "anca.zamfir"),
    "engineering": ("agent.l3", "sarah.collins"),
    "security": ("security", "diana.munteanu"),
}

# The accounts worth trying first, in the order the table of demo logins lists them.
LOGINS = (
    "admin",
    "manager.desk",
    "manager.apps",
    "manager.infra",
    "manager.eng",
    "security",
    "agent.l1",
    "agent.apps",
    "agent.network",
    "agent.workplace",
    "agent.l3",
    "requester",
)

# The requester a demo visitor logs in as; she has more tickets than the others.
REQUESTER_LOGIN = Person("requester", "Ana", "Gheorghe", "+40 744 210 301", "ro")

REQUESTERS = (
    REQUESTER_LOGIN,
    Person("bogdan.constantinescu", "Bogdan", "Constantinescu", "+40 744 210 302"),
    Person("andreea.dumitrescu", "Andreea", "Dumitrescu", "+40 744 210 303"),
    Person("stefan.ionescu", "Ștefan", "Ionescu", "+40 744 210 304"),
    Person("madalina.radu", "Mădălina", "Radu", "+40 744 210 305"),
    Person("razvan.stoica", "Răzvan", "Stoica", "+40 744 210 306"),
    Person("cristina.florea", "Cristina", "Florea", "+40 744 210 307", "en"),
    Person("alexandru.georgescu", "Alexandru", "Georgescu", "+40 744 210 308"),
    Person("irina.nistor", "Irina", "Nistor", "+40 744 210 309"),
    Person("vlad.moldovan", "Vlad", "Moldovan", "+40 744 210 310"),
    Person("simona.toma", "Simona", "Toma", "+40 744 210 311"),
    Person("gabriel.tudor", "Gabriel", "Tudor", "+40 744 210 312", "en"),
    Person("oana.lungu", "Oana", "Lungu", "+40 744 210 313"),
    Person("catalin.dobrescu", "Cătălin", "Dobrescu", "+40 744 210 314"),
    Person("teodora.barbu", "Teodora", "Barbu", "+40 744 210 315"),
    Person("mihaela.sandu", "Mihaela", "Sandu", "+40 744 210 316"),
    Person("florin.cojocaru", "Florin", "Cojocaru", "+40 744 210 317"),
    Person("roxana.mocanu", "Roxana", "Mocanu", "+40 744 210 318", "en"),
    Person("james.carter", "James", "Carter", "+44 7700 900201", "en"),
    Person("emily.watson", "Emily", "Watson", "+44 7700 900202", "en"),
    Person("oliver.bennett", "Oliver", "Bennett", "+44 7700 900203", "en"),
    Person("hannah.clarke", "Hannah", "Clarke", "+44 7700 900204", "en"),
    Person("daniel.hughes", "Daniel", "Hughes", "+44 7700 900205", "en"),
    Person("laura.mitchell", "Laura", "Mitchell", "+44 7700 900206", "en"),
    Person("thomas.wright", "Thomas", "Wright", "+44 7700 900207", "en"),
)

# The monitoring system logs its alerts as tickets under this account.
MONITORING = Person(
    "monitoring", "Zabbix", "Monitoring", "", "en", mailbox="monitoring", emailed=False
)

# ---------------------------------------------------------------------------------------------
# Services and configuration items

SERVICES = (
    ServiceEntry("Email and calendar", "apps", "Exchange Online mailboxes, calendars, Outlook."),
    ServiceEntry("ERP", "apps", "Finance, purchasing, stock and shipping."),
    ServiceEntry("CRM", "apps", "Customers, opportunities and the sales reports."),
    ServiceEntry("Payroll and HR portal", "apps", "Payslips, leave requests and HR records."),
    ServiceEntry("Identity and access", "apps", "Accounts, passwords, MFA and access rights."),
    ServiceEntry("Intranet", "apps", "News, policies and the staff directory."),
    ServiceEntry("VPN and remote access", "network", "Working from home and from customer sites."),
    ServiceEntry("Office network and Wi-Fi", "network", "Wired and wireless LAN in every office."),
    ServiceEntry("Internet access", "network", "Internet links, firewall and web filtering."),
    ServiceEntry("Telephony", "network", "Desk phones, Teams calling and meeting rooms."),
    ServiceEntry("Laptops and desktops", "workplace", "Computers, docks and peripherals."),
    ServiceEntry("Printing and scanning", "workplace", "Office and warehouse printers."),
    ServiceEntry("Mobile devices", "workplace", "Company phones and tablets."),
    ServiceEntry("File storage", "workplace", "Shared drives, OneDrive and backups."),
    ServiceEntry("Endpoint protection", "security", "Antivirus, disk encryption, device control."),
)

ITEMS = (
    ItemEntry("mx-01", "mail gateway", "Email and calendar"),
    ItemEntry("erp-app-01", "application server", "ERP"),
    ItemEntry("erp-db-01", "database server", "ERP"),
    ItemEntry("crm-app-01", "application server", "CRM"),
    ItemEntry("idp-01", "identity provider", "Identity and access"),
    ItemEntry("vpn-gw-01", "VPN gateway", "VPN and remote access"),
    ItemEntry("core-sw-01", "switch", "Office network and Wi-Fi"),
    ItemEntry("wlc-01", "wireless controller", "Office network and Wi-Fi"),
    ItemEntry("fw-edge-01", "firewall", "Internet access"),
    ItemEntry("pbx-01", "phone system", "Telephony"),
    ItemEntry("print-srv-01", "print server", "Printing and scanning"),
    ItemEntry("PRN-F3-01", "printer", "Printing and scanning"),
    ItemEntry("PRN-WH-01", "label printer", "Printing and scanning"),
    ItemEntry("fs-01", "file server", "File storage"),
    ItemEntry("backup-01", "backup server", "File storage"),
    ItemEntry("LT-0412", "laptop", "Laptops and desktops"),
    ItemEntry("LT-0587", "laptop", "Laptops and desktops"),
)

# ---------------------------------------------------------------------------------------------
# The category tree: each branch names the L2 group its tickets escalate to; each leaf its
# diagnostic questions and the troubles people bring to it.

IDENTITY_CHECKED = yes_no(
    "Has the caller's identity been verified (call-back or manager confirmation)?",
    help_text="Never reset or unlock an account on the word of the caller alone.",
    required=True,
)

CATEGORIES = (
    Branch(
        "Email",
        "Mail, calendars and shared mailboxes.",
        "apps",
        (
            Leaf(
                "Cannot send or receive",
                "Mail does not leave, arrive or sync.",
                "Email and calendar",
                (
                    choice(
                        "Which mail client are you using?",
                        "Outlook desktop",
                        "Outlook on the web",
                        "Mail app on a phone",
                    ),
                    yes_no("Can you send and receive in Outlook on the web?"),
                    text(
                        "What exact error message do you see?",
                        "Cannot connect to the server",
                        "Message stuck in the Outbox",
                        "Delivery has failed to these recipients",
                        "0x800CCC0E",
                    ),
                ),
                (
                    incident(
                        "Emails stuck in the Outbox since this morning",
                        "Nothing I send leaves the Outbox. Receiving seems fine.",
                        "Outlook was in offline mode after the VPN dropped; switched back online "
                        "and the queue emptied.",
                    ),
                    incident(
                        "Not receiving emails from external senders",
                        "A customer says my mails bounce back. Internal mail works.",
                        "The sender's domain had been blocked by a too-broad spam rule; the rule "
                        "was narrowed and the held messages released.",
                    ),
                    incident(
                        "Outlook keeps asking for my password",
                        "Every few minutes a password prompt appears, even after typing it.",
                        "Stale credentials in Windows Credential Manager removed; Outlook "
                        "profile re-authenticated with modern authentication.",
                    ),
                    incident(
                        "Mail gateway mx-01: delivery queue above threshold",
                        "Alert: outbound queue on mx-01 holds more than 500 messages.",
                        "The relay's TLS certificate had expired; renewed it and flushed the "
                        "queue.",
                        alert_item="mx-01",
                    ),
                ),
                weight=4,
            ),
            Leaf(
                "Outlook and mail client",
                "Outlook crashes, is slow or misbehaves.",
                "Email and calendar",
                (
                    yes_no("Does Outlook start in safe mode (outlook.exe /safe)?"),
                    choice("When did the problem start?", "Today", "This week", "Longer ago"),
                    text(
                        "Were any add-ins installed recently?",
                        "No",
                        "The new e-signature add-in",
                        "Not that I know of",
                    ),
                ),
                (
                    incident(
                        "Outlook crashes when opening attachments",
                        "Outlook closes as soon as I double-click a PDF attachment.",
                        "A faulty PDF preview add-in was disabled; Office repaired.",
                    ),
                    incident(
                        "Outlook search returns no results",
                        "Search finds nothing, not even mails from today.",
                        "Windows search index rebuilt for the Outlook data file.",
                    ),
                    incident(
                        "Outlook takes five minutes to start",
                        "Since the weekend Outlook is extremely slow to open.",
                        "The 48 GB offline cache was reduced to 12 months and rebuilt.",
                    ),
                ),
            ),
            Leaf(
                "Shared mailboxes",
                "Access to and creation of shared mailboxes.",
                "Email and calendar",
                (
                    text(
                        "Which shared mailbox?",
                        "finance@danubia.example",
                        "logistics@danubia.example",
                        "hr@danubia.example",
                    ),
                    choice(
                        "What access is needed?",
                        "Read",
                        "Send as",
                        "Send on behalf",
                        "Full access",
                    ),
                    yes_no("Has the mailbox owner approved the access?", required=True),
                ),
                (
                    request(
                        "Access to the finance@ shared mailbox",
                        "I joined accounts payable and need to read and answer finance@.",
                        "Full access and Send as granted after the finance manager approved.",
                    ),
                    request(
                        "Shared mailbox for the Cluj warehouse team",
                        "Please create cluj.warehouse@ for the shift leaders.",
                        "Mailbox created, six members added, auto-mapping enabled.",
                    ),
                    incident(
                        "Shared mailbox disappeared from Outlook",
                        "The logistics@ mailbox is no longer in my folder list.",
                        "Permission had been removed by a group clean-up; restored.",
                    ),
                ),
            ),
            Leaf(
                "Spam and phishing",
                "Suspicious mail, phishing attempts, spam floods.",
                "Email and calendar",
                (
                    yes_no("Did you click a link or open an attachment?", required=True),
                    yes_no("Did you enter your password anywhere?", required=True),
                    text(
                        "Who is the sender?",
                        "it-support@danubia-helpdesk.com",
                        "invoices@dhl-notice.net",
                        "A colleague's name, but an outside address",
                    ),
                ),
                (
                    incident(
                        "Suspicious email asking me to confirm my password",
                        "Mail from 'IT Support' says my mailbox is full and links to a login "
                        "page that does not look like ours.",
                        "Phishing confirmed; message purged from all mailboxes, sender domain "
                        "blocked, no credentials entered.",
                    ),
                    incident(
                        "Fake invoice with a macro attachment",
                        "An 'overdue invoice' Word file asks to enable macros.",
                        "Attachment detonated in the sandbox (malicious); purged tenant-wide.",
                    ),
                    incident(
                        "Spam flood from an external address",
                        "I received over 200 newsletters in an hour.",
                        "Subscription-bombing; temporary transport rule and sender block added.",
                    ),
                ),
                default_group="security",
                weight=3,
            ),
            Leaf(
                "Calendar and meetings",
                "Invites, room booking, shared calendars.",
                "Email and calendar",
                (
                    choice(
                        "Which calendar feature?",
                        "Meeting invites",
                        "Room booking",
                        "Shared calendar",
                        "Free/busy",
                    ),
                    yes_no("Are other attendees affected too?"),
                ),
                (
                    incident(
                        "Meeting room 'Danube' cannot be booked",
                        "The room declines every invitation, even for free slots.",
                        "The room's booking policy limited bookings to 30 minutes; corrected.",
                    ),
                    request(
                        "Delegate access to the managing director's calendar",
                        "I am the new assistant and need to manage the calendar.",
                        "Editor and delegate rights granted; invitations now copied to me.",
                    ),
                ),
                weight=1,
            ),
        ),
    ),
    Branch(
        "Network",
        "Connectivity in the offices, the warehouse and from home.",
        "network",
        (
            Leaf(
                "VPN",
                "Remote access from home or a customer site.",
                "VPN and remote access",
                (
                    choice(
                        "Where are you connecting from?",
                        "Home",
                        "Hotel or public Wi-Fi",
                        "Customer site",
                        "Mobile hotspot",
                    ),
                    yes_no("Does the internet work without the VPN?"),
                    text(
                        "What does the VPN client show?",
                        "Connection timed out",
                        "Authentication failed",
                        "Connected, but no access to the shares",
                    ),
                ),
                (
                    incident(
                        "VPN disconnects every few minutes",
                        "Working from home, the VPN drops about every ten minutes.",
                        "Home router's MTU caused fragmentation; VPN profile switched to the "
                        "TCP fallback.",
                    ),
                    incident(
                        "Cannot connect to the VPN from home",
                        "The client says 'Authentication failed' although my password works.",
                        "VPN group membership was missing after the account move; re-added.",
                    ),
                    request(
                        "VPN access for a new contractor",
                        "Our auditor from Bright & Co needs VPN for three weeks.",
                        "Temporary VPN account created, expiring at the end of the engagement.",
                    ),
                    incident(
                        "VPN gateway vpn-gw-01: tunnel count dropped by 60 %",
                        "Alert: active tunnels on vpn-gw-01 fell from 180 to 70 in five minutes.",
                        "A failed firmware update left one cluster node down; rolled back.",
                        alert_item="vpn-gw-01",
                    ),
                ),
                weight=4,
            ),
            Leaf(
                "Wi-Fi",
                "Wireless in the offices and the warehouse.",
                "Office network and Wi-Fi",
                (
                    text(
                        "Which office and floor?",
                        "Bucharest HQ, floor 3",
                        "Bucharest HQ, floor 5",
                        "Cluj-Napoca office",
                        "Ploiești warehouse",
                    ),
                    choice("Which network?", "DANUBIA-CORP", "DANUBIA-GUEST"),
                    yes_no("Do colleagues nearby have the same problem?"),
                ),
                (
                    incident(
                        "Wi-Fi drops in the meeting rooms on floor 3",
                        "Calls freeze and the laptop loses the network in every meeting room.",
                        "One access point had failed; replaced and channels re-planned.",
                    ),
                    incident(
                        "Guest Wi-Fi not working for visitors",
                        "Visitors get no login page on DANUBIA-GUEST.",
                        "The captive portal's certificate had expired; renewed.",
                    ),
                    incident(
                        "Laptop will not join DANUBIA-CORP",
                        "It says 'Can't connect to this network' since yesterday.",
                        "The laptop's machine certificate had expired; re-enrolled.",
                    ),
                ),
                weight=3,
            ),
            Leaf(
                "Wired network",
                "Network ports, cabling and switches.",
                "Office network and Wi-Fi",
                (
                    yes_no("Is the link light of the network port lit?"),
                    text("What is the wall socket number?", "3-14", "5-02", "2-21", "WH-07"),
                    yes_no("Does another cable or port work?"),
                ),
                (
                    incident(
                        "No network on my desk port",
                        "The cable is plugged in but Windows shows no network.",
                        "Port was in the wrong VLAN after the floor move; corrected.",
                    ),
                    request(
                        "Activate the network port for new desk 5-07",
                        "A new colleague starts Monday at desk 5-07.",
                        "Port patched and assigned to the office VLAN.",
                    ),
                    incident(
                        "Core switch core-sw-01: port Gi1/0/24 flapping",
                        "Alert: uplink to the warehouse switch went down and up 14 times.",
                        "Faulty SFP module replaced on the warehouse uplink.",
                        alert_item="core-sw-01",
                    ),
                ),
            ),
            Leaf(
                "Internet access",
                "Slow or blocked websites.",
                "Internet access",
                (
                    choice("What is affected?", "All websites", "One website", "Downloads only"),
                    text(
                        "Which website?",
                        "the carrier's tracking portal",
                        "the customs declaration site",
                        "All of them",
                    ),
                    yes_no("Does it work on the guest Wi-Fi?"),
                ),
                (
                    incident(
                        "Cannot open the carrier's tracking portal",
                        "The page shows 'Access denied by policy'.",
                        "The site was wrongly categorised by the web filter; allow-listed.",
                    ),
                    incident(
                        "Internet very slow since lunchtime",
                        "Pages take 30 seconds to load in the whole Cluj office.",
                        "The primary link was saturated by a backup job; job rescheduled.",
                    ),
                    request(
                        "Unblock the supplier's file-transfer site",
                        "A supplier sends our price lists through a site that is blocked.",
                        "Site reviewed by security and allow-listed for purchasing.",
                    ),
                ),
            ),
        ),
    ),
    Branch(
        "Hardware",
        "Computers, screens and everything plugged into them.",
        "workplace",
        (
            Leaf(
                "Laptop",
                "Company laptops.",
                "Laptops and desktops",
                (
                    text("What is the asset tag of the laptop?", "LT-0412", "LT-0587", "LT-0733"),
                    choice(
                        "What is wrong?",
                        "Does not start",
                        "Battery",
                        "Screen",
                        "Keyboard or touchpad",
                        "Overheating",
                        "Other",
                    ),
                    yes_no("Is it still under warranty?"),
                ),
                (
                    incident(
                        "Laptop does not power on",
                        "No lights, nothing, even on the charger.",
                        "Main board replaced by the vendor under warranty.",
                    ),
                    incident(
                        "Laptop battery lasts less than an hour",
                        "Fully charged, it is empty after 50 minutes.",
                        "Battery worn out (62 % capacity); replaced.",
                    ),
                    incident(
                        "Cracked laptop screen",
                        "The screen cracked in my bag; half of it is black.",
                        "Screen replaced; loan laptop returned.",
                    ),
                    request(
                        "Laptop for a new starter in finance",
                        "Starting on the 1st: a standard laptop with a dock.",
                        "Laptop LT-0733 imaged, enrolled and handed over with a dock.",
                    ),
                ),
                weight=3,
            ),
            Leaf(
                "Desktop",
                "Desktop PCs in the offices and the warehouse.",
                "Laptops and desktops",
                (
                    choice(
                        "What happens when you press the power button?",
                        "Nothing",
                        "Fans spin but no picture",
                        "It beeps",
                        "It starts, then freezes",
                    ),
                    yes_no("Was anything changed or moved recently?"),
                ),
                (
                    incident(
                        "PC in reception will not boot",
                        "The reception PC shows 'No bootable device'.",
                        "Failed SSD replaced and the image restored.",
                    ),
                    incident(
                        "Blue screen on the warehouse dispatch PC",
                        "It crashes with a blue screen several times a day.",
                        "Faulty memory module found with diagnostics and replaced.",
                    ),
                ),
                weight=1,
            ),
            Leaf(
                "Monitors and peripherals",
                "Screens, keyboards, mice, headsets, webcams.",
                "Laptops and desktops",
                (
                    choice("Which device?", "Monitor", "Keyboard", "Mouse", "Headset", "Webcam"),
                    yes_no("Does the device work on another computer?"),
                ),
                (
                    request(
                        "Second monitor for my desk",
                        "I work with the ERP and Excel side by side all day.",
                        "24-inch monitor delivered and installed.",
                    ),
                    incident(
                        "Headset microphone not detected",
                        "Colleagues cannot hear me in Teams with the USB headset.",
                        "Headset firmware updated; set as default communication device.",
                    ),
                    incident(
                        "Monitor flickers",
                        "The left screen flickers every few seconds.",
                        "Damaged DisplayPort cable replaced.",
                    ),
                ),
            ),
            Leaf(
                "Docking stations",
                "USB-C and Thunderbolt docks.",
                "Laptops and desktops",
                (
                    text("Which dock model?", "Dell WD19", "Lenovo USB-C Dock Gen 2"),
                    yes_no("Do the screens work when connected straight to the laptop?"),
                    choice(
                        "What does not work through the dock?",
                        "Screens",
                        "USB devices",
                        "Network",
                        "Charging",
                    ),
                ),
                (
                    incident(
                        "Docking station does not detect external screens",
                        "Since the Windows update the two monitors stay black.",
                        "Dock firmware and display driver updated.",
                    ),
                    incident(
                        "No network through the docking station",
                        "The network works on Wi-Fi but not through the dock.",
                        "Dock's network adapter driver reinstalled.",
                    ),
                ),
                weight=1,
            ),
        ),
    ),
    Branch(
        "Software",
        "Installations, licences and business applications.",
        "apps",
        (
            Leaf(
                "Installation request",
                "New software on a company computer.",
                "Laptops and desktops",
                (
                    text(
                        "Which software and version?",
                        "Power BI Desktop",
                        "Notepad++",
                        "7-Zip",
                        "AutoCAD LT 2025",
                    ),
                    yes_no("Does it need a paid licence?"),
                    text(
                        "What is the business reason?",
                        "Monthly KPI reports",
                        "Warehouse layout drawings",
                        "Data analysis",
                    ),
                ),
                (
                    request(
                        "Install Power BI Desktop",
                        "I build the monthly transport KPI reports.",
                        "Installed from the software centre.",
                    ),
                    request(
                        "Install AutoCAD LT for warehouse planning",
                        "We redraw the Ploiești racking layout.",
                        "Licence assigned and AutoCAD LT installed.",
                    ),
                    request(
                        "Install Python for data analysis",
                        "For cleaning shipment data exports.",
                        "Python and VS Code installed from the approved catalogue.",
                    ),
                ),
                default_group="workplace",
            ),
            Leaf(
                "Application errors",
                "Office and desktop applications that crash or fail.",
                "Laptops and desktops",
                (
                    text("Which application?", "Excel", "Teams", "Adobe Acrobat Reader"),
                    text(
                        "What exact error do you see?",
                        "Excel is not responding",
                        "Screen sharing is unavailable",
                        "It just closes",
                    ),
                    choice("How many people are affected?", "Just me", "My team", "Everyone"),
                ),
                (
                    incident(
                        "Excel crashes when opening the monthly report",
                        "The report with pivot tables makes Excel close without a message.",
                        "A corrupted add-in cache cleared and Office repaired.",
                    ),
                    incident(
                        "Teams cannot share my screen",
                        "Others see a black window when I share.",
                        "Hardware acceleration disabled in Teams; graphics driver updated.",
                    ),
                    incident(
                        "Acrobat Reader freezes when printing PDFs",
                        "Printing any PDF makes Reader hang.",
                        "Reader updated; protected mode printing issue fixed by the update.",
                    ),
                ),
            ),
            Leaf(
                "Licences",
                "New licences, renewals, activation problems.",
                "Laptops and desktops",
                (
                    text("Which product?", "Microsoft Visio", "Microsoft 365", "Adobe Acrobat Pro"),
                    choice(
                        "What do you need?",
                        "A new licence",
                        "A renewal",
                        "A transfer to another person",
                    ),
                ),
                (
                    request(
                        "Visio licence for the process team",
                        "Three people in process improvement need Visio.",
                        "Three Visio Plan 2 licences assigned.",
                    ),
                    incident(
                        "Office says the licence is not activated",
                        "A red banner says 'Unlicensed product'.",
                        "Licence re-assigned after the account was moved; Office re-activated.",
                    ),
                ),
                weight=1,
            ),
            Leaf(
                "ERP",
                "Finance, purchasing, stock and shipping in the ERP.",
                "ERP",
                (
                    text(
                        "Which transaction or screen?",
                        "Goods receipt",
                        "Invoice posting",
                        "Stock transfer",
                    ),
                    yes_no("Do colleagues get the same error?"),
                    text("What is the error number?", "F5 201", "M7 021", "None shown"),
                ),
                (
                    incident(
                        "Invoice posting fails: 'posting period not open'",
                        "I cannot post supplier invoices for this month.",
                        "The new posting period was opened by finance; posting works.",
                    ),
                    incident(
                        "Goods receipt screen times out",
                        "Booking a receipt in the warehouse takes minutes then fails.",
                        "A missing database index on the receipts table added.",
                    ),
                    request(
                        "ERP role for the new logistics planner",
                        "Needs stock transfers and shipment planning.",
                        "Role LOG_PLANNER assigned after the process owner approved.",
                    ),
                    incident(
                        "ERP application server erp-app-01 not responding",
                        "Alert: HTTP health check on erp-app-01 failed three times.",
                        "The application server ran out of memory; heap raised and restarted.",
                        alert_item="erp-app-01",
                    ),
                ),
                weight=3,
            ),
            Leaf(
                "CRM",
                "Customers, opportunities, sales reports.",
                "CRM",
                (
                    choice(
                        "Which part of the CRM?",
                        "Accounts",
                        "Opportunities",
                        "Reports",
                        "Mobile app",
                    ),
                    yes_no("Does it happen in another browser too?"),
                ),
                (
                    incident(
                        "CRM reports show no data since yesterday",
                        "All sales dashboards are empty.",
                        "The nightly data refresh had failed; re-run and rescheduled.",
                    ),
                    incident(
                        "Cannot save a new opportunity in the CRM",
                        "Saving shows 'An unexpected error occurred'.",
                        "A new mandatory field broke the form; made optional by the vendor fix.",
                    ),
                    request(
                        "CRM access for the new account manager",
                        "Starts next week in the Timișoara office.",
                        "Sales user licence and the Key Accounts role assigned.",
                    ),
                ),
            ),
        ),
    ),
    Branch(
        "Accounts & access",
        "Accounts, passwords, MFA and access rights.",
        "apps",
        (
            Leaf(
                "Password reset",
                "Forgotten or expired passwords.",
                "Identity and access",
                (
                    IDENTITY_CHECKED,
                    choice("Which account?", "Windows and email", "ERP", "VPN", "Other"),
                ),
                (
                    request(
                        "Password reset",
                        "I forgot my password after the holiday.",
                        "Identity verified by call-back; temporary password issued.",
                    ),
                    incident(
                        "Password expired while on holiday",
                        "I cannot log in to my laptop; it says the password expired.",
                        "Password reset after call-back; cached credentials updated over VPN.",
                    ),
                    request(
                        "Reset my ERP password",
                        "The ERP says my password is wrong.",
                        "ERP password reset after identity check.",
                    ),
                ),
                weight=5,
            ),
            Leaf(
                "Account locked",
                "Accounts locked by failed logins.",
                "Identity and access",
                (
                    IDENTITY_CHECKED,
                    yes_no("Was the password changed recently on a phone or tablet?"),
                ),
                (
                    incident(
                        "Account locked again after password change",
                        "My account locks every morning since I changed my password.",
                        "The old password was still saved on the phone's mail app; removed.",
                    ),
                    incident(
                        "Account locked out",
                        "Windows says the account is locked.",
                        "Account unlocked after identity check.",
                    ),
                ),
                weight=3,
            ),
            Leaf(
                "Joiners, movers and leavers",
                "Accounts and access when people join, move or leave.",
                "Identity and access",
                (
                    choice("Which change?", "Joiner", "Mover", "Leaver", required=True),
                    text(
                        "Name and date?",
                        "Maria Pop, starting on the 1st",
                        "Ion Vasile, last day Friday",
                    ),
                    text("Who is the line manager?", "Carmen Dobre", "Richard Hale"),
                ),
                (
                    request(
                        "New starter: accounts and laptop for the finance team",
                        "Maria Pop joins accounts payable on the 1st.",
                        "Account, mailbox, ERP role and laptop prepared for day one.",
                    ),
                    request(
                        "Leaver: disable the accounts of a departing employee",
                        "Ion Vasile leaves on Friday; mailbox to his manager.",
                        "Accounts disabled at 18:00 Friday; mailbox shared with the manager.",
                    ),
                    request(
                        "Mover: access change after a team transfer",
                        "Moving from sales to purchasing; please swap the ERP roles.",
                        "Sales roles removed, purchasing roles granted.",
                    ),
                ),
            ),
            Leaf(
                "Folder access",
                "Access to shared folders.",
                "File storage",
                (
                    text(
                        "What is the folder path?",
                        r"\\fs-01\finance\budget",
                        r"\\fs-01\logistics\routes",
                        r"\\fs-01\hr\contracts",
                    ),
                    choice("What access is needed?", "Read", "Modify"),
                    yes_no("Has the folder owner approved?", required=True),
                ),
                (
                    request(
                        "Access to the Budget 2026 folder",
                        "I prepare the logistics budget this year.",
                        "Modify access granted through the owner-approved group.",
                    ),
                    incident(
                        "Access denied to the logistics share",
                        "Yesterday it worked, today 'Access denied'.",
                        "Group membership restored after an accidental removal.",
                    ),
                ),
            ),
            Leaf(
                "Multi-factor authentication",
                "MFA registration and prompts.",
                "Identity and access",
                (
                    choice(
                        "What happened?",
                        "New phone",
                        "Lost phone",
                        "Codes rejected",
                        "No prompt received",
                    ),
                    IDENTITY_CHECKED,
                ),
                (
                    incident(
                        "MFA prompts not arriving on my phone",
                        "The sign-in waits for approval but nothing appears.",
                        "Authenticator re-registered; notifications re-enabled on the phone.",
                    ),
                    request(
                        "Re-register MFA on a new phone",
                        "I changed phones and the old one is wiped.",
                        "Old method removed after identity check; new phone registered.",
                    ),
                ),
            ),
        ),
    ),
    Branch(
        "Printing",
        "Office printers, label printers, scanning.",
        "workplace",
        (
            Leaf(
                "Printer not printing",
                "Jobs that never come out.",
                "Printing and scanning",
                (
                    text("What is the printer's name?", "PRN-F3-01", "PRN-F5-02", "PRN-WH-01"),
                    yes_no("Can others print to it?"),
                    choice(
                        "What does the printer's display show?",
                        "Ready",
                        "An error",
                        "Offline",
                        "Nothing",
                    ),
                ),
                (
                    incident(
                        "Print jobs stuck in the queue",
                        "My documents stay 'Printing' and nothing comes out.",
                        "Print spooler restarted and the stuck job removed.",
                    ),
                    incident(
                        "Printer on floor 5 prints blank pages",
                        "Pages come out empty.",
                        "Toner cartridge seal had not been removed; fixed on site.",
                    ),
                    incident(
                        "Print server print-srv-01: spooler service stopped",
                        "Alert: Print Spooler on print-srv-01 is not running.",
                        "Spooler restarted; a corrupt driver removed.",
                        alert_item="print-srv-01",
                    ),
                ),
                weight=3,
            ),
            Leaf(
                "Paper jams and faults",
                "Hardware faults of printers.",
                "Printing and scanning",
                (
                    yes_no("Did you follow the jam instructions on the display?"),
                    choice("Where is the jam?", "Tray", "Duplex unit", "Output", "Unknown"),
                ),
                (
                    incident(
                        "Recurring paper jam on PRN-F3-01",
                        "It jams every 20 pages in the duplex unit.",
                        "Worn duplex rollers replaced by the vendor.",
                    ),
                    incident(
                        "Label printer in the warehouse prints faded labels",
                        "Barcodes do not scan at the dock.",
                        "Print head cleaned and darkness setting raised.",
                    ),
                ),
                weight=1,
            ),
            Leaf(
                "Scanning",
                "Scan to email or folder.",
                "Printing and scanning",
                (
                    choice("Scan to?", "Email", "Folder", "USB stick"),
                    text(
                        "What error is shown?",
                        "SMTP error",
                        "Cannot connect to the folder",
                        "None, it just never arrives",
                    ),
                ),
                (
                    incident(
                        "Scan to email not arriving",
                        "Scans from PRN-F3-01 never reach my inbox.",
                        "The printer's SMTP relay password had expired; updated.",
                    ),
                    incident(
                        "Scanner asks for a password",
                        "Scan to folder asks for credentials.",
                        "Scan service account re-enabled.",
                    ),
                ),
                weight=1,
            ),
            Leaf(
                "Printer setup",
                "New printers and adding printers to computers.",
                "Printing and scanning",
                (
                    text("Where is the printer?", "Floor 3", "Warehouse dock 2", "Cluj office"),
                    yes_no("Is there a network socket next to it?"),
                ),
                (
                    request(
                        "Add the floor 3 printer to my laptop",
                        "I moved desks and need PRN-F3-01.",
                        "Printer deployed to the laptop by policy.",
                    ),
                    request(
                        "New label printer for the warehouse",
                        "Dock 2 needs its own label printer.",
                        "Label printer installed and added to the ERP output devices.",
                    ),
                ),
                default_group="workplace",
                weight=1,
            ),
        ),
    ),
    Branch(
        "Telephony",
        "Desk phones, company mobiles, calls and meeting rooms.",
        "network",
        (
            Leaf(
                "Desk phones",
                "Desk phones and extensions.",
                "Telephony",
                (
                    text("What is the extension number?", "2314", "2450", "3101"),
                    choice(
                        "What is wrong?",
                        "No dial tone",
                        "Cannot call out",
                        "Cannot receive calls",
                        "Poor sound",
                    ),
                ),
                (
                    incident(
                        "Desk phone shows 'No service'",
                        "The phone at reception shows No service.",
                        "Phone re-registered on pbx-01 after a PoE switch port reset.",
                    ),
                    request(
                        "Move my extension to desk 5-07",
                        "I moved desks; please move extension 2450.",
                        "Extension moved and tested.",
                    ),
                ),
            ),
            Leaf(
                "Mobile phones",
                "Company phones.",
                "Mobile devices",
                (
                    text("What phone model?", "iPhone 14", "Samsung Galaxy A54", "iPhone SE"),
                    choice(
                        "What is the issue?",
                        "Broken",
                        "Email not syncing",
                        "A new phone is needed",
                        "Other",
                    ),
                    yes_no("Is it a company-owned phone?"),
                ),
                (
                    incident(
                        "Company phone not syncing email",
                        "Mail on my phone stopped updating on Monday.",
                        "Device re-enrolled in mobile device management.",
                    ),
                    request(
                        "New mobile phone for the sales team",
                        "Two new sales reps need phones.",
                        "Two phones enrolled and handed over.",
                    ),
                    incident(
                        "Mobile phone screen broken",
                        "Dropped at the warehouse; the touch screen does not react.",
                        "Screen replaced under the insurance contract.",
                    ),
                ),
                default_group="workplace",
            ),
            Leaf(
                "Teams calls and meeting rooms",
                "Calls, conferencing and meeting-room equipment.",
                "Telephony",
                (
                    choice("Where does it happen?", "Meeting room", "Laptop", "Phone app"),
                    yes_no("Does audio work in other applications?"),
                ),
                (
                    incident(
                        "Echo in the 'Danube' meeting room",
                        "Remote participants hear themselves.",
                        "Room audio processor re-tuned; echo cancellation enabled.",
                    ),
                    incident(
                        "Teams calls drop after 30 minutes",
                        "Every long call ends abruptly.",
                        "Firewall session timeout for media traffic corrected.",
                    ),
                ),
                weight=1,
            ),
        ),
    ),
    Branch(
        "Security",
        "Security events and possible personal-data breaches.",
        "engineering",
        (
            Leaf(
                "Lost or stolen device",
                "A company device is missing.",
                "Endpoint protection",
                (
                    choice(
                        "What kind of device?",
                        "Laptop",
                        "Phone",
                        "Tablet",
                        "USB drive",
                        required=True,
                    ),
                    text(
                        "When and where was it lost?",
                        "Yesterday evening, car broken into",
                        "This morning at Otopeni airport",
                    ),
                    yes_no("Was the device encrypted?"),
                    yes_no("Did it hold personal data of customers or staff?", required=True),
                ),
                (
                    incident(
                        "Laptop stolen from a car",
                        "My car was broken into last night; the laptop bag is gone.",
                        "Device wiped remotely; BitLocker confirmed; police report filed; "
                        "no personal data at risk.",
                    ),
                    incident(
                        "Lost company phone at the airport",
                        "I left my phone at the security check.",
                        "Phone locked and wiped; SIM blocked; replacement issued.",
                    ),
                ),
                default_group="security",
                weight=1,
            ),
            Leaf(
                "Malware alert",
                "Antivirus alerts and ransomware.",
                "Endpoint protection",
                (
                    text(
                        "What does the alert say?",
                        "Trojan:Win32/Wacatac detected",
                        "Files have been encrypted",
                    ),
                    yes_no("Is the computer disconnected from the network?", required=True),
                ),
                (
                    incident(
                        "Antivirus alert: trojan detected",
                        "A red window says a threat was found in Downloads.",
                        "Threat quarantined; full scan clean; the download site blocked.",
                    ),
                    incident(
                        "Strange ransom note on the shared drive",
                        "A file 'READ_ME_NOW.txt' appeared in our team folder.",
                        "Test file from the awareness campaign; no encryption found.",
                    ),
                ),
                default_group="security",
                weight=1,
            ),
            Leaf(
                "Suspicious activity",
                "Unusual logins, changes or behaviour.",
                "Endpoint protection",
                (
                    text(
                        "What did you notice?",
                        "A sign-in alert from another country",
                        "Files renamed that I did not touch",
                    ),
                    yes_no("Have you told your manager?"),
                ),
                (
                    incident(
                        "Sign-in alert from another country",
                        "I got an alert about a login from Brazil.",
                        "Sessions revoked, password reset, MFA enforced; the attempt had "
                        "failed at MFA.",
                    ),
                    incident(
                        "Files renamed on the finance share",
                        "Dozens of files have odd names since this morning.",
                        "A sync tool misconfiguration; files restored from snapshot.",
                    ),
                ),
                default_group="security",
                weight=1,
            ),
        ),
    ),
    Branch(
        "File storage",
        "Shared drives, OneDrive, backups and restores.",
        "workplace",
        (
            Leaf(
                "Restore deleted files",
                "Recovering deleted or overwritten files.",
                "File storage",
                (
                    text(
                        "What is the path of the file or folder?",
                        r"\\fs-01\finance\2025\closing",
                        "OneDrive/Documents/Offers",
                    ),
                    text("When was it last seen?", "Yesterday", "Last Friday", "A week ago"),
                    yes_no("Was it on a shared drive (not OneDrive)?"),
                ),
                (
                    request(
                        "Restore a deleted folder on the finance share",
                        "The 'closing' folder was deleted by mistake.",
                        "Folder restored from last night's snapshot.",
                    ),
                    request(
                        "Recover the previous version of a spreadsheet",
                        "I saved over the tariff table this morning.",
                        "Yesterday's version restored next to the current one.",
                    ),
                ),
            ),
            Leaf(
                "OneDrive sync",
                "OneDrive not syncing.",
                "File storage",
                (
                    choice(
                        "What does OneDrive show?",
                        "Paused",
                        "An error",
                        "Stuck on processing changes",
                    ),
                    yes_no("Is there enough free disk space?"),
                ),
                (
                    incident(
                        "OneDrive stuck on 'processing changes'",
                        "It has been processing for two days.",
                        "OneDrive reset; a file with an invalid name renamed.",
                    ),
                    incident(
                        "Files not syncing between laptop and OneDrive",
                        "Changes on the laptop do not appear online.",
                        "Account re-linked after the tenant migration.",
                    ),
                ),
            ),
            Leaf(
                "Shared drives",
                "Mapped drives and file servers.",
                "File storage",
                (
                    text("Which drive letter and path?", r"F: \\fs-01\shared", r"S: \\fs-01\sales"),
                    yes_no("Are you on the VPN or in the office?"),
                ),
                (
                    incident(
                        "Mapped drive F: missing after login",
                        "The F: drive is gone from This PC.",
                        "Drive-mapping policy re-applied; the login script fixed.",
                    ),
                    incident(
                        "File server fs-01: volume D: above 90 %",
                        "Alert: free space on fs-01 D: is 8 %.",
                        "Old installer archives removed; volume extended by 500 GB.",
                        alert_item="fs-01",
                    ),
                ),
            ),
        ),
    ),
)

# ---------------------------------------------------------------------------------------------
# What people say along the way

FIRST_REPLIES = (
    "Hello {first}, thanks for reporting this. I'm looking into it now.",
    "Hi {first}, I've picked this up and will update you within the hour.",
    "Hello {first}, thank you. I can reproduce the problem and I'm working on it.",
    "Hi {first}, thanks. Could you keep the computer on? I may connect remotely.",
    "Hello {first}, I have your ticket and I'm checking our systems.",
)
INTERNAL_NOTES = (
    "Checked the event logs; nothing obvious yet.",
    "Remote session done, logs collected and attached to the case.",
    "Called the user, no answer; left a voicemail.",
    "Same symptom reported last week; checking whether the same fix applies.",
    "Knowledge article KB-0142 did not help in this case.",
    "Tried the standard fix; no change.",
    "User is a VIP for the month-end closing; keep them updated.",
)
SPECIALIST_NOTES = (
    "Reproduced in the test environment.",
    "Server-side logs show timeouts from 09:12 onwards.",
    "Configuration compared with the working site; two differences found.",
    "Vendor knowledge base describes the same behaviour; trying their workaround.",
)
ESCALATION_REASONS = (
    "Beyond the service desk runbook: needs a change on the server side.",
    "Needs administrative access we don't have at L1.",
    "Standard fixes tried without success; diagnosis attached.",
    "Several users affected; needs the specialist team.",
)
ENGINEERING_REASONS = (
    "Looks like a defect: needs engineering to find the root cause.",
    "Platform issue beyond configuration; needs a code or infrastructure fix.",
    "Vendor escalation needed through engineering.",
)
HOLD_NOTES = {
    "awaiting_caller": (
        "Could you tell us when exactly it happens and send a screenshot of the error?",
        "Please restart the laptop while connected to the office network and let us know if "
        "the problem remains.",
        "When would be a good time for a 15-minute remote session?",
    ),
    "awaiting_vendor": (
        "We have opened a case with the vendor and will update you as soon as they answer.",
        "The replacement part is ordered; the vendor promises delivery within three days.",
    ),
    "awaiting_change": (
        "The fix needs a change in the next maintenance window (Thursday 20:00).",
        "A configuration change is scheduled; we'll confirm once it's done.",
    ),
}
CALLER_REPLIES = (
    "It happens every morning at about 9, screenshot attached.",
    "Restarted as asked; the problem is still there.",
    "Tomorrow after 10 works for me.",
    "Yes, it happens on every computer I try.",
    "Here is the error text: 'The operation timed out'.",
)
CHASERS = (
    "Any update on this? It's blocking my work.",
    "Hello, is anyone looking at this?",
    "Just checking on progress; we have a deadline on Friday.",
)
THANKS = (
    "Works now, thank you!",
    "Confirmed, all good. Thanks for the quick help.",
    "Thank you, the problem is gone.",
)
REOPEN_REASONS = (
    "The problem is back since this morning.",
    "It worked for a day, now the same error appears again.",
    "Not fixed: it still happens when I work from home.",
)
UPDATE_REASONS = (
    "More people affected than first reported.",
    "Requester clarified it blocks shipments today.",
    "Workaround available; lowering the urgency.",
)
WITHDRAW_NOTES = (
    "Sorted it myself, sorry for the noise.",
    "No longer needed, thanks.",
    "A colleague helped me; you can close this.",
)
NOT_AN_INCIDENT_NOTES = (
    "This works as designed: the report only shows closed periods. Explained to the requester.",
    "This is a how-to question; sent the guide from the intranet.",
    "Handled by the facilities team, not IT; forwarded to them.",
)
MANAGER_REASONS = (
    "Requester chasing; month-end closing depends on it.",
    "Open for days without progress from the vendor.",
    "Affects a customer delivery; needs a decision on priority.",
)
RECLASSIFY_REASONS = (
    "Nothing is broken: this is a request for something new.",
    "Logged as a fault, but it is an access request.",
)

# ---------------------------------------------------------------------------------------------
# The catalogue in Romanian: the name, description, question, help text and choice of every
# group, service and category above, by its English text (desk.py fills the `_ro` columns).

ROMANIAN = {
    # Support groups
    "Service Desk": "Serviciul de asistență",
    "First line: takes every call, email and portal ticket, diagnoses, fixes what it can and "
    "routes the rest.": "Prima linie: preia fiecare apel, e-mail și tichet din portal, "
    "diagnostichează, rezolvă ce poate și direcționează restul.",
    "Applications": "Aplicații",
    "Email, ERP, CRM, identity and the other business applications.": "E-mail, ERP, CRM, "
    "identitate și celelalte aplicații de business.",
    "Network": "Rețea",
    "LAN, Wi-Fi, VPN, internet access and telephony.": "LAN, Wi-Fi, VPN, acces la internet și "
    "telefonie.",
    "Workplace": "Stații de lucru",
    "Laptops, desktops, printers, phones, peripherals and file storage.": "Laptopuri, "
    "calculatoare, imprimante, telefoane, periferice și stocarea fișierelor.",
    "Engineering": "Inginerie",
    "Platform and application engineers; on call for critical incidents.": "Ingineri de "
    "platformă și de aplicații; de gardă pentru incidentele critice.",
    "Security": "Securitate",
    "Security operations: phishing, malware, lost devices and personal-data breaches.": (
        "Operațiuni de securitate: phishing, malware, dispozitive pierdute și încălcări ale "
        "securității datelor personale."
    ),
    # Services
    "Email and calendar": "E-mail și calendar",
    "Exchange Online mailboxes, calendars, Outlook.": "Căsuțe poștale Exchange Online, "
    "calendare, Outlook.",
    "ERP": "ERP",
    "Finance, purchasing, stock and shipping.": "Financiar, achiziții, stocuri și expediții.",
    "CRM": "CRM",
    "Customers, opportunities and the sales reports.": "Clienți, oportunități și rapoartele de "
    "vânzări.",
    "Payroll and HR portal": "Salarizare și portalul HR",
    "Payslips, leave requests and HR records.": "Fluturași de salariu, cereri de concediu și "
    "dosare de personal.",
    "Identity and access": "Identitate și acces",
    "Accounts, passwords, MFA and access rights.": "Conturi, parole, MFA și drepturi de acces.",
    "Intranet": "Intranet",
    "News, policies and the staff directory.": "Noutăți, politici și cartea de telefon a "
    "angajaților.",
    "VPN and remote access": "VPN și acces de la distanță",
    "Working from home and from customer sites.": "Lucrul de acasă și de la sediile clienților.",
    "Office network and Wi-Fi": "Rețeaua birourilor și Wi-Fi",
    "Wired and wireless LAN in every office.": "Rețea locală cablată și wireless în fiecare birou.",
    "Internet access": "Acces la internet",
    "Internet links, firewall and web filtering.": "Conexiuni la internet, firewall și "
    "filtrare web.",
    "Telephony": "Telefonie",
    "Desk phones, Teams calling and meeting rooms.": "Telefoane fixe, apeluri Teams și săli de "
    "ședință.",
    "Laptops and desktops": "Laptopuri și calculatoare",
    "Computers, docks and peripherals.": "Calculatoare, docking stations și periferice.",
    "Printing and scanning": "Imprimare și scanare",
    "Office and warehouse printers.": "Imprimantele din birouri și din depozit.",
    "Mobile devices": "Dispozitive mobile",
    "Company phones and tablets.": "Telefoanele și tabletele companiei.",
    "File storage": "Stocarea fișierelor",
    "Shared drives, OneDrive and backups.": "Unități partajate, OneDrive și copii de siguranță.",
    "Endpoint protection": "Protecția stațiilor",
    "Antivirus, disk encryption, device control.": "Antivirus, criptarea discurilor, controlul "
    "dispozitivelor.",
    # Email
    "Email": "E-mail",
    "Mail, calendars and shared mailboxes.": "Poștă, calendare și căsuțe poștale partajate.",
    "Cannot send or receive": "Nu pot trimite sau primi",
    "Mail does not leave, arrive or sync.": "Mesajele nu pleacă, nu sosesc sau nu se "
    "sincronizează.",
    "Which mail client are you using?": "Ce program de e-mail folosiți?",
    "Outlook desktop": "Outlook pentru desktop",
    "Outlook on the web": "Outlook pe web",
    "Mail app on a phone": "Aplicația de e-mail de pe telefon",
    "Can you send and receive in Outlook on the web?": "Puteți trimite și primi în Outlook pe web?",
    "What exact error message do you see?": "Ce mesaj de eroare vedeți, exact?",
    "Outlook and mail client": "Outlook și programul de e-mail",
    "Outlook crashes, is slow or misbehaves.": "Outlook se închide, merge greu sau se comportă "
    "ciudat.",
    "Does Outlook start in safe mode (outlook.exe /safe)?": "Pornește Outlook în modul sigur "
    "(outlook.exe /safe)?",
    "When did the problem start?": "Când a început problema?",
    "Today": "Azi",
    "This week": "Săptămâna aceasta",
    "Longer ago": "Mai demult",
    "Were any add-ins installed recently?": "S-au instalat recent programe de completare "
    "(add-ins)?",
    "Shared mailboxes": "Căsuțe poștale partajate",
    "Access to and creation of shared mailboxes.": "Accesul la căsuțe poștale partajate și "
    "crearea lor.",
    "Which shared mailbox?": "Care căsuță poștală partajată?",
    "What access is needed?": "Ce acces este necesar?",
    "Read": "Citire",
    "Send as": "Trimitere ca",
    "Send on behalf": "Trimitere în numele",
    "Full access": "Acces complet",
    "Has the mailbox owner approved the access?": "A aprobat accesul proprietarul căsuței poștale?",
    "Spam and phishing": "Spam și phishing",
    "Suspicious mail, phishing attempts, spam floods.": "Mesaje suspecte, tentative de "
    "phishing, avalanșe de spam.",
    "Did you click a link or open an attachment?": "Ați dat clic pe un link sau ați deschis un "
    "atașament?",
    "Did you enter your password anywhere?": "V-ați introdus parola undeva?",
    "Who is the sender?": "Cine este expeditorul?",
    "Calendar and meetings": "Calendar și ședințe",
    "Invites, room booking, shared calendars.": "Invitații, rezervarea sălilor, calendare "
    "partajate.",
    "Which calendar feature?": "Ce funcție a calendarului?",
    "Meeting invites": "Invitații la ședințe",
    "Room booking": "Rezervarea sălilor",
    "Shared calendar": "Calendar partajat",
    "Free/busy": "Disponibilitate (liber/ocupat)",
    "Are other attendees affected too?": "Sunt afectați și alți participanți?",
    # Network
    "Connectivity in the offices, the warehouse and from home.": "Conectivitatea în birouri, "
    "în depozit și de acasă.",
    "VPN": "VPN",
    "Remote access from home or a customer site.": "Acces de la distanță, de acasă sau de la "
    "sediul unui client.",
    "Where are you connecting from?": "De unde vă conectați?",
    "Home": "De acasă",
    "Hotel or public Wi-Fi": "Hotel sau Wi-Fi public",
    "Customer site": "Sediul unui client",
    "Mobile hotspot": "Hotspot de pe telefon",
    "Does the internet work without the VPN?": "Funcționează internetul fără VPN?",
    "What does the VPN client show?": "Ce afișează clientul VPN?",
    "Wi-Fi": "Wi-Fi",
    "Wireless in the offices and the warehouse.": "Rețeaua wireless din birouri și din depozit.",
    "Which office and floor?": "Ce birou și ce etaj?",
    "Which network?": "Ce rețea?",
    "DANUBIA-CORP": "DANUBIA-CORP",
    "DANUBIA-GUEST": "DANUBIA-GUEST",
    "Do colleagues nearby have the same problem?": "Colegii din apropiere au aceeași problemă?",
    "Wired network": "Rețea cablată",
    "Network ports, cabling and switches.": "Prize de rețea, cablare și switch-uri.",
    "Is the link light of the network port lit?": "Este aprins ledul de legătură al portului "
    "de rețea?",
    "What is the wall socket number?": "Ce număr are priza de rețea din perete?",
    "Does another cable or port work?": "Funcționează cu alt cablu sau în alt port?",
    "Slow or blocked websites.": "Site-uri lente sau blocate.",
    "What is affected?": "Ce este afectat?",
    "All websites": "Toate site-urile",
    "One website": "Un singur site",
    "Downloads only": "Doar descărcările",
    "Which website?": "Care site?",
    "Does it work on the guest Wi-Fi?": "Funcționează pe rețeaua Wi-Fi pentru vizitatori?",
    # Hardware
    "Hardware": "Echipamente",
    "Computers, screens and everything plugged into them.": "Calculatoare, monitoare și tot ce "
    "se conectează la ele.",
    "Laptop": "Laptop",
    "Company laptops.": "Laptopurile companiei.",
    "What is the asset tag of the laptop?": "Ce număr de inventar are laptopul?",
    "What is wrong?": "Ce nu este în regulă?",
    "Does not start": "Nu pornește",
    "Battery": "Bateria",
    "Screen": "Ecranul",
    "Keyboard or touchpad": "Tastatura sau touchpadul",
    "Overheating": "Se supraîncălzește",
    "Other": "Altceva",
    "Is it still under warranty?": "Mai este în garanție?",
    "Desktop": "Calculator de birou",
    "Desktop PCs in the offices and the warehouse.": "Calculatoarele de birou din birouri și "
    "din depozit.",
    "What happens when you press the power button?": "Ce se întâmplă când apăsați butonul de "
    "pornire?",
    "Nothing": "Nimic",
    "Fans spin but no picture": "Ventilatoarele merg, dar nu apare imaginea",
    "It beeps": "Scoate semnale sonore",
    "It starts, then freezes": "Pornește, apoi se blochează",
    "Was anything changed or moved recently?": "S-a schimbat sau s-a mutat ceva recent?",
    "Monitors and peripherals": "Monitoare și periferice",
    "Screens, keyboards, mice, headsets, webcams.": "Monitoare, tastaturi, mouse-uri, căști, "
    "camere web.",
    "Which device?": "Ce dispozitiv?",
    "Monitor": "Monitor",
    "Keyboard": "Tastatură",
    "Mouse": "Mouse",
    "Headset": "Căști",
    "Webcam": "Cameră web",
    "Does the device work on another computer?": "Funcționează dispozitivul pe alt calculator?",
    "Docking stations": "Docking stations",
    "USB-C and Thunderbolt docks.": "Docking stations USB-C și Thunderbolt.",
    "Which dock model?": "Ce model de docking station?",
    "Do the screens work when connected straight to the laptop?": "Funcționează monitoarele "
    "conectate direct la laptop?",
    "What does not work through the dock?": "Ce nu funcționează prin docking station?",
    "Screens": "Monitoarele",
    "USB devices": "Dispozitivele USB",
    "Charging": "Încărcarea",
    # Software
    "Software": "Aplicații",
    "Installations, licences and business applications.": "Instalări, licențe și aplicații de "
    "business.",
    "Installation request": "Cerere de instalare",
    "New software on a company computer.": "Program nou pe un calculator al companiei.",
    "Which software and version?": "Ce program și ce versiune?",
    "Does it need a paid licence?": "Are nevoie de o licență plătită?",
    "What is the business reason?": "Care este motivul de business?",
    "Application errors": "Erori ale aplicațiilor",
    "Office and desktop applications that crash or fail.": "Aplicații Office și de desktop "
    "care se închid sau nu funcționează.",
    "Which application?": "Ce aplicație?",
    "What exact error do you see?": "Ce eroare vedeți, exact?",
    "How many people are affected?": "Câte persoane sunt afectate?",
    "Just me": "Doar eu",
    "My team": "Echipa mea",
    "Everyone": "Toată lumea",
    "Licences": "Licențe",
    "New licences, renewals, activation problems.": "Licențe noi, reînnoiri, probleme de activare.",
    "Which product?": "Ce produs?",
    "What do you need?": "De ce aveți nevoie?",
    "A new licence": "O licență nouă",
    "A renewal": "O reînnoire",
    "A transfer to another person": "Un transfer către altă persoană",
    "Finance, purchasing, stock and shipping in the ERP.": "Financiar, achiziții, stocuri și "
    "expediții în ERP.",
    "Which transaction or screen?": "Ce tranzacție sau ce ecran?",
    "Do colleagues get the same error?": "Colegii primesc aceeași eroare?",
    "What is the error number?": "Ce număr are eroarea?",
    "Customers, opportunities, sales reports.": "Clienți, oportunități, rapoarte de vânzări.",
    "Which part of the CRM?": "Ce parte a CRM-ului?",
    "Accounts": "Conturi de clienți",
    "Opportunities": "Oportunități",
    "Reports": "Rapoarte",
    "Mobile app": "Aplicația mobilă",
    "Does it happen in another browser too?": "Se întâmplă și în alt browser?",
    # Accounts & access
    "Accounts & access": "Conturi și acces",
    "Password reset": "Resetarea parolei",
    "Forgotten or expired passwords.": "Parole uitate sau expirate.",
    "Has the caller's identity been verified (call-back or manager confirmation)?": (
        "A fost verificată identitatea apelantului (apel înapoi sau confirmarea managerului)?"
    ),
    "Never reset or unlock an account on the word of the caller alone.": "Nu resetați și nu "
    "deblocați niciodată un cont doar pe cuvântul apelantului.",
    "Which account?": "Care cont?",
    "Windows and email": "Windows și e-mail",
    "Account locked": "Cont blocat",
    "Accounts locked by failed logins.": "Conturi blocate după autentificări eșuate.",
    "Was the password changed recently on a phone or tablet?": "A fost schimbată recent "
    "parola pe un telefon sau pe o tabletă?",
    "Joiners, movers and leavers": "Angajări, transferuri și plecări",
    "Accounts and access when people join, move or leave.": "Conturi și acces când oamenii "
    "vin, își schimbă postul sau pleacă.",
    "Which change?": "Ce schimbare?",
    "Joiner": "Angajare",
    "Mover": "Transfer",
    "Leaver": "Plecare",
    "Name and date?": "Numele și data?",
    "Who is the line manager?": "Cine este managerul direct?",
    "Folder access": "Acces la foldere",
    "Access to shared folders.": "Accesul la folderele partajate.",
    "What is the folder path?": "Care este calea folderului?",
    "Modify": "Modificare",
    "Has the folder owner approved?": "A aprobat proprietarul folderului?",
    "Multi-factor authentication": "Autentificare multifactor",
    "MFA registration and prompts.": "Înregistrarea MFA și solicitările de confirmare.",
    "What happened?": "Ce s-a întâmplat?",
    "New phone": "Telefon nou",
    "Lost phone": "Telefon pierdut",
    "Codes rejected": "Codurile sunt respinse",
    "No prompt received": "Nu primesc solicitarea",
    # Printing
    "Printing": "Imprimare",
    "Office printers, label printers, scanning.": "Imprimantele din birouri, imprimantele de "
    "etichete, scanarea.",
    "Printer not printing": "Imprimanta nu tipărește",
    "Jobs that never come out.": "Lucrări care nu mai ies la imprimantă.",
    "What is the printer's name?": "Cum se numește imprimanta?",
    "Can others print to it?": "Pot alții să tipărească la ea?",
    "What does the printer's display show?": "Ce afișează ecranul imprimantei?",
    "Ready": "Pregătită",
    "An error": "O eroare",
    "Offline": "Deconectată",
    "Paper jams and faults": "Blocaje de hârtie și defecte",
    "Hardware faults of printers.": "Defectele imprimantelor.",
    "Did you follow the jam instructions on the display?": "Ați urmat instrucțiunile pentru "
    "blocaje de pe ecran?",
    "Where is the jam?": "Unde s-a blocat hârtia?",
    "Tray": "În tavă",
    "Duplex unit": "În unitatea duplex",
    "Output": "La ieșire",
    "Unknown": "Nu știu",
    "Scanning": "Scanare",
    "Scan to email or folder.": "Scanare în e-mail sau într-un folder.",
    "Scan to?": "Scanare către?",
    "Folder": "Folder",
    "USB stick": "Stick USB",
    "What error is shown?": "Ce eroare apare?",
    "Printer setup": "Instalarea imprimantelor",
    "New printers and adding printers to computers.": "Imprimante noi și adăugarea "
    "imprimantelor pe calculatoare.",
    "Where is the printer?": "Unde se află imprimanta?",
    "Is there a network socket next to it?": "Există o priză de rețea lângă ea?",
    # Telephony
    "Desk phones, company mobiles, calls and meeting rooms.": "Telefoane fixe, telefoanele "
    "mobile ale companiei, apeluri și săli de ședință.",
    "Desk phones": "Telefoane fixe",
    "Desk phones and extensions.": "Telefoane fixe și interioare.",
    "What is the extension number?": "Ce număr de interior aveți?",
    "No dial tone": "Nu am ton",
    "Cannot call out": "Nu pot suna în afară",
    "Cannot receive calls": "Nu pot primi apeluri",
    "Poor sound": "Sunet slab",
    "Mobile phones": "Telefoane mobile",
    "Company phones.": "Telefoanele companiei.",
    "What phone model?": "Ce model de telefon?",
    "What is the issue?": "Care este problema?",
    "Broken": "Defect",
    "Email not syncing": "E-mailul nu se sincronizează",
    "A new phone is needed": "Este nevoie de un telefon nou",
    "Is it a company-owned phone?": "Este un telefon al companiei?",
    "Teams calls and meeting rooms": "Apeluri Teams și săli de ședință",
    "Calls, conferencing and meeting-room equipment.": "Apeluri, conferințe și echipamentele "
    "sălilor de ședință.",
    "Where does it happen?": "Unde se întâmplă?",
    "Meeting room": "În sala de ședință",
    "Phone app": "În aplicația de pe telefon",
    "Does audio work in other applications?": "Funcționează sunetul în alte aplicații?",
    # Security
    "Security events and possible personal-data breaches.": "Evenimente de securitate și "
    "posibile încălcări ale securității datelor personale.",
    "Lost or stolen device": "Dispozitiv pierdut sau furat",
    "A company device is missing.": "Lipsește un dispozitiv al companiei.",
    "What kind of device?": "Ce fel de dispozitiv?",
    "Phone": "Telefon",
    "Tablet": "Tabletă",
    "USB drive": "Memorie USB",
    "When and where was it lost?": "Când și unde a fost pierdut?",
    "Was the device encrypted?": "Era criptat dispozitivul?",
    "Did it hold personal data of customers or staff?": "Conținea date personale ale clienților "
    "sau ale angajaților?",
    "Malware alert": "Alertă de malware",
    "Antivirus alerts and ransomware.": "Alerte antivirus și ransomware.",
    "What does the alert say?": "Ce spune alerta?",
    "Is the computer disconnected from the network?": "Este calculatorul deconectat de la rețea?",
    "Suspicious activity": "Activitate suspectă",
    "Unusual logins, changes or behaviour.": "Autentificări, modificări sau comportamente "
    "neobișnuite.",
    "What did you notice?": "Ce ați observat?",
    "Have you told your manager?": "V-ați anunțat managerul?",
    # File storage
    "Shared drives, OneDrive, backups and restores.": "Unități partajate, OneDrive, copii de "
    "siguranță și restaurări.",
    "Restore deleted files": "Restaurarea fișierelor șterse",
    "Recovering deleted or overwritten files.": "Recuperarea fișierelor șterse sau suprascrise.",
    "What is the path of the file or folder?": "Care este calea fișierului sau a folderului?",
    "When was it last seen?": "Când a fost văzut ultima dată?",
    "Was it on a shared drive (not OneDrive)?": "Era pe o unitate partajată (nu pe OneDrive)?",
    "OneDrive sync": "Sincronizare OneDrive",
    "OneDrive not syncing.": "OneDrive nu se sincronizează.",
    "What does OneDrive show?": "Ce afișează OneDrive?",
    "Paused": "Întrerupt",
    "Stuck on processing changes": "Blocat la procesarea modificărilor",
    "Is there enough free disk space?": "Există suficient spațiu liber pe disc?",
    "Shared drives": "Unități partajate",
    "Mapped drives and file servers.": "Unități mapate și servere de fișiere.",
    "Which drive letter and path?": "Ce literă de unitate și ce cale?",
    "Are you on the VPN or in the office?": "Sunteți pe VPN sau la birou?",
}
