"""Secrets people type: passwords and keys in prose of many voices and languages, said or unsaid,
and snippets pasted into the chat."""
import json

from values import ALNUM, B32, URLSAFE, b64, hexs, human_password, pick

# (kind, context, template). {pw} is the secret; {pw2}, {pw3} are other secrets in the same message.
PROSE = [
    ("password-prose-en-labelled", "user", "db password is {pw} btw, the user is app_rw"),
    ("password-prose-en-formal", "user", "Please use the following credentials for the UAT environment.\nUsername: qa.lead\nPassword: {pw}\nKindly do not forward this message."),
    ("password-prose-en-typos", "user", "ok so teh passwrod is {pw} i think?? try it and tell me"),
    ("password-prose-en-unlabelled", "user", "ssh in as deploy with {pw} and check the nginx logs"),
    ("password-prose-en-same-as", "user", "it's {pw}, same one as the vpn"),
    ("password-prose-en-reset", "user", "I reset it. new one: {pw}"),
    ("password-prose-en-hunterish", "user", "it's one of my usual ones, try with hunter-ish passwords: {pw}, {pw2} or maybe {pw3}"),
    ("password-prose-en-passphrase", "user", "the passphrase on id_ed25519 is {pw} - you'll need it for ssh-add"),
    ("password-prose-en-wifi", "user", "office wifi is GuestNet-4F, key {pw}"),
    ("password-prose-en-quoted", "user", "He said the keystore password is \"{pw}\" but that doesn't unlock it"),
    ("password-prose-en-colon-pair", "user", "creds → admin:{pw}"),
    ("password-prose-en-terse", "user", "pw {pw}"),
    ("password-prose-en-question", "user", "does {pw} work as the root password for the new droplet or is it too weak?"),
    ("password-prose-assistant-echo", "assistant", "I logged into the Grafana UI as `admin` with `{pw}` and the dashboards load; I'd rotate that password since it is now in this transcript."),
    ("password-prose-assistant-seed", "assistant", "The seed script now creates the `support` user with the password {pw}, as you asked."),
    ("password-prose-de-labelled", "user", "Das Passwort für den Staging-Server lautet {pw}, bitte nicht ins Repo committen."),
    ("password-prose-de-unlabelled", "user", "Probier mal {pw}, damit ging es gestern noch."),
    ("password-prose-fr-labelled", "user", "Le mot de passe de la base de prod est {pw} — ne le mets pas dans le ticket."),
    ("password-prose-fr-unlabelled", "user", "Essaie avec {pw}, sinon je te renvoie le bon."),
    ("password-prose-es-labelled", "user", "La contraseña del usuario admin es {pw}, cámbiala después de probar."),
    ("password-prose-es-casual", "user", "oye usa {pw} pa entrar al panel"),
    ("password-prose-pt-br", "user", "A senha do banco de homologação é {pw}, valeu!"),
    ("password-prose-it", "user", "La password del server FTP è {pw}, l'ho appena rigenerata."),
    ("password-prose-nl", "user", "Het wachtwoord voor de testomgeving is {pw}."),
    ("password-prose-pl", "user", "Hasło do panelu to {pw}, zmień je po wdrożeniu."),
    ("password-prose-ru", "user", "Пароль от базы: {pw}. Не коммить его, пожалуйста."),
    ("password-prose-uk", "user", "Ось пароль до сервера: {pw}"),
    ("password-prose-tr", "user", "Sunucu şifresi {pw}, deploy'dan sonra değiştiririz."),
    ("password-prose-ja-labelled", "user", "ステージングDBのパスワードは{pw}です。コミットしないでください。"),
    ("password-prose-ja-unlabelled", "user", "{pw}で入れるはず。だめなら教えて"),
    ("password-prose-zh-hans", "user", "测试环境的密码是{pw}，用完记得改。"),
    ("password-prose-zh-hant", "user", "資料庫密碼：{pw}"),
    ("password-prose-ko", "user", "관리자 비밀번호는 {pw} 입니다."),
    ("password-prose-vi", "user", "Mật khẩu của máy chủ là {pw} nhé."),
    ("password-prose-id", "user", "Password VPN-nya {pw}, jangan disebar ya."),
    ("password-prose-hi", "user", "सर्वर का पासवर्ड {pw} है, किसी को मत बताना।"),
    ("password-prose-hinglish", "user", "bhai password {pw} hai, jaldi try kar"),
    ("password-prose-ar", "user", "كلمة المرور الخاصة بالخادم هي {pw} من فضلك غيّرها لاحقًا"),
    ("password-prose-he", "user", "הסיסמה לשרת היא {pw} אל תשמור אותה בקוד"),
    ("password-prose-sv", "user", "Lösenordet till databasen är {pw}."),
    ("password-prose-cs", "user", "Heslo k databázi je {pw}, nikam ho nepiš."),
    ("password-prose-el", "user", "Ο κωδικός για τον server είναι {pw}"),
    ("password-prose-fi", "user", "Tietokannan salasana on {pw}."),
    ("password-prose-th", "user", "รหัสผ่านเซิร์ฟเวอร์คือ {pw} นะครับ"),
    ("password-prose-ro", "user", "Parola pentru contul de test este {pw}."),
    ("password-prose-hu", "user", "A jelszó a teszt szerverhez: {pw}"),
    ("password-prose-sw", "user", "Nenosiri la seva ni {pw}, usiliweke kwenye git."),
    ("password-prose-tl", "user", "Ang password ng admin ay {pw}, palitan mo na lang mamaya."),
    ("password-prose-nb", "user", "Passordet til ruteren er {pw}"),
    ("password-prose-ca", "user", "La contrasenya del compte de proves és {pw}."),
    ("password-prose-fa", "user", "رمز عبور سرور {pw} است"),
]

TOKEN_PROSE = [
    ("api-key-prose-de", "user", "Mein API-Schlüssel für den Übersetzungsdienst: {tok} — bitte nur lokal verwenden."),
    ("api-key-prose-fr", "user", "Voici la clé d'API du fournisseur SMS : {tok}"),
    ("api-key-prose-es", "user", "te paso el token de acceso: {tok}"),
    ("api-key-prose-ja", "user", "APIキーは {tok} です"),
    ("api-key-prose-zh", "user", "接口密钥：{tok}"),
    ("api-key-prose-ru", "user", "токен доступа {tok} (истекает в пятницу)"),
    ("api-key-prose-pt", "user", "chave da API do parceiro: {tok}"),
    ("api-key-prose-ko", "user", "액세스 토큰: {tok}"),
    ("api-key-prose-en-unsaid", "user", "{tok} <- that's the one from the dashboard, the old one is revoked"),
    ("api-key-prose-en-slack-quote", "user", "from #infra:\n> @rahel: new ingest key for the collector is {tok}\n> @rahel: old one dies at midnight"),
    ("api-key-prose-assistant", "assistant", "The request succeeded once I passed the key you shared ({tok}) as the `X-Api-Key` header."),
]


def _hunterish(rng):
    # the weak, guessable kind a person reuses: a famous password stretched with a year and symbols
    base = rng.choice(["hunter2", "Hunter2", "hunter22", "HuNtEr2"])
    return f"{base}{rng.choice(['!', '-', '_', '#'])}{rng.randrange(1990, 2027)}{rng.choice(['', '!', '!!'])}"


def _token(rng):
    return rng.choice([lambda: pick(rng, ALNUM, 32), lambda: hexs(rng, 40), lambda: pick(rng, B32, 26),
                       lambda: "sk_" + pick(rng, URLSAFE, 30), lambda: b64(rng, 24, url=True, pad=False)])()


def _pastes(rng):
    tok = pick(rng, ALNUM, 40)
    yield "chat-paste-curl-bearer", "user", f"this curl works but the app doesn't:\n\ncurl -s https://api.partner.example/v2/orders \\\n  -H 'Authorization: Bearer {tok}' \\\n  -H 'Accept: application/json'", tok
    secret = pick(rng, URLSAFE, 40)
    body = json.dumps({"client_id": f"{hexs(rng, 8)}.apps.internal", "client_secret": secret, "grant_type": "client_credentials"}, indent=2)
    yield "chat-paste-oauth-json", "user", f"copied from the console:\n```json\n{body}\n```", secret
    pw = human_password(rng)
    yield "chat-paste-email-temp-password", "user", (f"---------- Forwarded message ---------\nFrom: IT Service Desk <it@corp.example>\n"
                                                      f"Subject: Your account\n\nYour temporary password is: {pw}\nYou must change it at first login.\n\ncan you log in with that and check the SSO settings?"), pw
    env_a, env_b = pick(rng, ALNUM, 32), "whsec_" + pick(rng, ALNUM, 32)
    paste = f"APP_URL=https://shop.local\nSHOP_API_SECRET={env_a}\nWEBHOOK_SIGNING={env_b}\nDEBUG=1"
    yield "chat-paste-dotenv-first", "user", f"my .env:\n{paste}\nwhat am I missing?", env_a
    yield "chat-paste-dotenv-second", "user", f"here is the whole env file\n```\n{paste}\n```", env_b
    seed = pick(rng, B32, 32)
    yield "totp-seed-uri", "user", f"QR didn't scan, the text under it says otpauth://totp/Acme:maria?secret={seed}&issuer=Acme", seed
    spaced = " ".join(pick(rng, B32.lower(), 4) for _ in range(8))
    yield "totp-setup-key-spaced", "user", f"2FA setup key (for the shared ops account): {spaced}", spaced
    phrase = " ".join(rng.choice(["violet", "tundra", "seventy", "pickle", "lantern", "orbit", "marble", "quiet", "saddle", "copper"]) for _ in range(5))
    yield "passphrase-words", "user", f"the vault passphrase is '{phrase}' all lowercase", phrase
    codes = [f"{pick(rng, 'abcdefghjkmnpqrstuvwxyz23456789', 6)}-{pick(rng, 'abcdefghjkmnpqrstuvwxyz23456789', 6)}" for _ in range(4)]
    yield "recovery-codes", "user", "backup codes in case the yubikey dies:\n" + "\n".join(codes), codes[1]
    pw = human_password(rng)
    yield "chat-paste-psql-error", "user", (f"getting this:\n\npsql \"host=db.internal user=reporting password={pw} dbname=analytics\"\n"
                                             f"psql: error: connection to server at \"db.internal\" (10.1.2.3), port 5432 failed: FATAL:  no pg_hba.conf entry"), pw
    tok = pick(rng, ALNUM, 24)
    yield "chat-paste-python-snippet", "user", (f"why is this 403?\n\n```python\nimport requests\nr = requests.get(url, params={{'apikey': '{tok}', 'q': 'berlin'}})\nprint(r.status_code)\n```"), tok
    pw = human_password(rng)
    yield "chat-paste-router-sticker", "user", f"sticker on the router says:\nSSID: FRITZ!Box 7590 QX\nWLAN-Schlüssel: {pw}", pw


def items(rng):
    out = []
    for kind, context, template in PROSE:
        maker = _hunterish if kind.endswith("hunterish") else human_password
        pws = [maker(rng) for _ in range(3)]
        text = template.format(pw=pws[0], pw2=pws[1], pw3=pws[2])
        out.append({"kind": kind, "context": context, "text": text, "secret": pws[0]})
    for kind, context, template in TOKEN_PROSE:
        tok = _token(rng)
        out.append({"kind": kind, "context": context, "text": template.format(tok=tok), "secret": tok})
    for kind, context, text, secret in _pastes(rng):
        out.append({"kind": kind, "context": context, "text": text, "secret": secret})
    return out
