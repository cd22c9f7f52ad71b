//! The sample tickets of the demo: what a service desk sees on an ordinary morning.

/// One sample ticket: its number (the id in each tool's form comes from `tool_webhooks::ticket_id`),
/// subject, description, priority, requester.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    pub number: u32,
    pub subject: &'static str,
    pub description: &'static str,
    pub priority: &'static str,
    pub requester: &'static str,
}

pub const SAMPLES: [Sample; 4] = [
    Sample {
        number: 101,
        subject: "VPN disconnects every 10 minutes",
        description: "Since this morning my VPN client drops the connection roughly every ten minutes and I have to \
                      log in again. I am working from home on laptop LT-0042; the gateway is vpn-gw-02 \
                      (10.20.30.40). Colleagues in my team report the same since the update last night.",
        priority: "high",
        requester: "alice@example.com",
    },
    Sample {
        number: 102,
        subject: "Printer on 3rd floor shows paper jam but is empty",
        description: "The printer PRN-3F-EAST (192.168.3.25) reports a paper jam in tray 2. We opened every tray \
                      and found nothing. Print jobs queue up and the whole floor cannot print.",
        priority: "medium",
        requester: "bob@example.com",
    },
    Sample {
        number: 103,
        subject: "File server almost out of disk space",
        description: "Monitoring warns that volume D: on fs-berlin-01 (10.20.5.12) is at 97%. Users get errors \
                      saving files to the shared project drives. Nothing was archived since September.",
        priority: "critical",
        requester: "monitoring@example.com",
    },
    Sample {
        number: 104,
        subject: "Password reset for SAP account",
        description: "I locked my SAP account after the password change this morning. Please reset it; I need to \
                      book invoices before the end of the day.",
        priority: "low",
        requester: "carol@example.com",
    },
];
