"""A real SMTP server for the e-mail tests (aiosmtpd), on 127.0.0.1:PORT.

Every accepted message is written as one JSON line to LOG: envelope sender and recipients, the
decoded subject, Message-ID and text, each attachment (name, type, and the file LOG.N.bin its bytes were saved to), the AUTH user, the time. A recipient with "weiger" in it is refused for
good (550), one with "later" for now (451); each refusal is a JSON line too. AUTH (PLAIN or LOGIN)
is offered without TLS (a relay on this machine) and only USER / the password in PASSWORD_FILE pass.
With CERT and KEY (PEM) as the 5th and 6th argument it requires STARTTLS first, and AUTH only
after it. Prints "klaar" when it listens.
"""
import email
import email.policy
import json
import logging
import sys
import time
import warnings

warnings.simplefilter("ignore")
logging.getLogger("mail.log").setLevel(logging.CRITICAL)

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

port, log_path, user, password_file = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
tls_context = None
if len(sys.argv) > 6:
    import ssl

    tls_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls_context.load_cert_chain(sys.argv[5], sys.argv[6])
password = open(password_file, encoding="utf-8").read().strip()


saved = 0


def write(entry):
    entry["time"] = time.time()
    with open(log_path, "a", encoding="utf-8") as log:
        log.write(json.dumps(entry) + "\n")


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login.decode() == user
        and auth_data.password.decode() == password
    )
    if not ok:
        write({"auth_failed": True})
    return AuthResult(success=ok)


class Handler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if "weiger" in address:
            write({"refused": address, "code": 550})
            return "550 5.1.1 Ontvanger onbekend"
        if "later" in address:
            write({"refused": address, "code": 451})
            return "451 4.3.0 Probeer het later opnieuw"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        attachments = []
        for part in message.iter_attachments() if message.is_multipart() else []:
            global saved
            saved += 1
            path = f"{log_path}.{saved}.bin"
            with open(path, "wb") as out:
                out.write(part.get_payload(decode=True))
            attachments.append(
                {"filename": part.get_filename(), "content_type": part.get_content_type(), "path": path}
            )
        write(
            {
                "from": envelope.mail_from,
                "to": envelope.rcpt_tos,
                "subject": str(message["subject"]),
                "header_to": str(message["to"]),
                "message_id": str(message["message-id"]),
                "content_type": message.get_content_type(),
                "text": message.get_body(preferencelist=("plain",)).get_content(),
                "attachments": attachments,
                "auth": bool(session.authenticated),
                "tls": session.ssl is not None,
            }
        )
        return "250 Bericht aangenomen"


controller = Controller(
    Handler(),
    hostname="127.0.0.1",
    port=port,
    authenticator=authenticator,
    auth_required=True,
    auth_require_tls=tls_context is not None,
    tls_context=tls_context,
    require_starttls=tls_context is not None,
)
controller.start()
print("klaar", flush=True)
try:
    while True:
        time.sleep(3600)
finally:
    controller.stop()
