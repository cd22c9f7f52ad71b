"""A model's scale: the median cosine it gives two one-line statements of different IT problems (40 of
them, below), through any OpenAI-compatible embedding server, or all-MiniLM-L6-v2 in-process (`minilm`).
It measured whether the semantic floors could follow a model's scale instead of being calibrated per model
(docs/BENCHMARKS.md, "floors relative to a model's scale": they cannot, for articles).

Usage (in the virtual environment start.sh makes):
    python scale.py minilm
    python scale.py BASE_URL MODEL
"""
import json
import sys
import urllib.request

import numpy as np

PROBLEMS = """
The office printer on the second floor jams on every duplex job.
I forgot my password and my account is now locked out.
The VPN client disconnects every few minutes when working from home.
Outlook keeps asking for my password and will not sync new mail.
The file server's data volume is full and shares are read-only.
My laptop screen stays black after waking from sleep.
A new starter needs a laptop, an email account and building access on Monday.
The Wi-Fi in the meeting room drops when more than ten people join.
Teams calls have choppy audio and the video freezes.
The web shop's TLS certificate expires next week.
The database server runs at 100 percent CPU during the nightly batch.
I cannot open the shared finance folder: access denied.
Phishing email received asking to confirm bank details.
The badge reader at the loading dock does not open the door.
Excel crashes when opening a large workbook with macros.
Please install Visio on my computer, it is approved by my manager.
The backup job for the accounting server failed three nights in a row.
My desk phone shows no dial tone after the move.
Multi-factor authentication prompts never arrive on my new phone.
Windows update failed and the laptop is stuck in a reboot loop.
The ERP system is very slow to post invoices this morning.
OneDrive shows sync errors for files with long names.
The projector in the boardroom shows no signal from HDMI.
A colleague left and their mailbox must be shared with the team lead.
DNS does not resolve internal host names from the branch office.
The warehouse scanner guns cannot connect to the inventory app.
My keyboard has sticky keys after a coffee spill.
The intranet page shows an error 500 since the last release.
Antivirus quarantined a file the payroll tool needs.
Request to increase my mailbox quota, it is nearly full.
The Linux build server ran out of inodes.
Citrix sessions freeze when printing to a local printer.
The CRM will not let me export contacts to CSV.
Disk encryption recovery key needed for a laptop that asks for it at boot.
Guest Wi-Fi vouchers for visitors next Tuesday.
The switch in rack B reboots several times a day.
Calendar invitations from partners arrive without the meeting link.
The time-tracking app shows last month's hours as zero.
Second monitor flickers when connected through the docking station.
SharePoint site permissions must be changed for the project team.
""".strip().splitlines()


def vectors(args):
    if args[0] == "minilm":
        from minilm_server import embed
        return np.array([embed(t) for t in PROBLEMS])
    body = json.dumps({"model": args[1], "input": PROBLEMS}).encode()
    request = urllib.request.Request(f"{args[0]}/embeddings", body, {"Content-Type": "application/json"})
    data = sorted(json.load(urllib.request.urlopen(request, timeout=900))["data"], key=lambda d: d["index"])
    return np.array([np.array(d["embedding"]) / np.linalg.norm(d["embedding"]) for d in data])


def main():
    v = vectors(sys.argv[1:])
    pairs = (v @ v.T)[np.triu_indices(len(PROBLEMS), 1)]
    print(f"{len(PROBLEMS)} problems, {len(pairs)} pairs: median cosine {np.median(pairs):.3f}, "
          f"mean {pairs.mean():.3f}")


if __name__ == "__main__":
    main()
