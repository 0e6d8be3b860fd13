"""Credentials in people's words: users in many languages and moods, and the assistant retelling them.

Some say what the value is, some do not ("try this one"), some paste a whole file into the chat.
"""


def _quote(d, value):
    return d.pick([value, f"`{value}`", f'"{value}"', f"'{value}'", f"“{value}”", f"«{value}»", f"「{value}」"])


LANGUAGES = {
    "en-casual": ["the staging db password is {v} btw", "pw for the admin panel: {v}"],
    "en-terse": ["creds: admin / {v}", "{v} is the root pw"],
    "en-unlabelled": ["try {v}", "maybe it's {v}? that's what I used last week"],
    "de": ["Das Passwort für den Testserver ist {v}, bitte nicht weitergeben.", "Kennwort: {v}"],
    "fr": ["Le mot de passe de la base est {v}, tu peux tester ?", "mdp du compte de service : {v}"],
    "es": ["La contraseña del servidor es {v}", "prueba con la clave {v} a ver si entra"],
    "pt": ["A senha do banco é {v}, pode usar no teste", "senha nova: {v}"],
    "it": ["La password del gestionale è {v}", "prova con {v}, dovrebbe funzionare"],
    "nl": ["Het wachtwoord van de VPN is {v}", "wachtwoord = {v}"],
    "pl": ["Hasło do bazy to {v}, nie commituj go", "haslo: {v}"],
    "ru": ["Пароль от сервера: {v}", "вот пароль {v}, только никому"],
    "uk": ["Пароль до адмінки {v}", "спробуй з паролем {v}"],
    "ja": ["ステージングのパスワードは {v} です", "パスワード：{v}"],
    "zh": ["数据库密码是 {v}，帮我连一下", "密码：{v}"],
    "ko": ["관리자 비밀번호는 {v} 입니다", "비번 {v} 로 해봐"],
    "tr": ["Sunucunun şifresi {v}", "parola: {v}"],
    "sv": ["Lösenordet till testmiljön är {v}", "lösen: {v}"],
    "cs": ["Heslo k databázi je {v}", "zkus heslo {v}"],
    "vi": ["Mật khẩu máy chủ là {v}", "mk: {v}"],
    "id": ["Kata sandi servernya {v}", "password-nya {v} ya"],
    "hi": ["सर्वर का पासवर्ड {v} है", "पासवर्ड: {v}"],
    "ar": ["كلمة المرور للخادم هي {v}", "كلمة السر: {v}"],
    "he": ["הסיסמה לשרת היא {v}", "סיסמה: {v}"],
    "fi": ["Tietokannan salasana on {v}", "salasana: {v}"],
    "el": ["Ο κωδικός του server είναι {v}", "κωδικός: {v}"],
}


def language_cases():
    """One kind per language or voice; the value is a password a person would pick."""
    cases = []
    for lang, templates in LANGUAGES.items():
        def make(d, templates=templates):
            value = d.pick([d.human_password, lambda: d.password(14)])()
            return "user prose", d.pick(templates).format(v=_quote(d, value)), value
        cases.append((f"prose-password-{lang}", make))
    return cases


def hunter_ish(d):
    value = "hunter" + d.digits(2) + d.pick(["!", "#", "_"]) + d.word().capitalize() + d.digits(3)
    text = (f"it's one of my usual hunter-ish passwords, try {value} first and if that fails "
            f"swap the last digits")
    return "user prose", text, value


def password_then_username(d):
    value = d.password(16)
    return "user prose", f"{value}\nuser is deploy@acme.io, 2FA is off on that account", value


def pasted_env(d):
    secret = "sk_live_51" + d.alnum(60)
    text = ("here's my .env, the webhook part is broken:\n\n"
            f"NEXT_PUBLIC_SITE_URL=http://localhost:3000\nSTRIPE_SECRET_KEY={secret}\n"
            "STRIPE_WEBHOOK_SECRET=\nNEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY=pk_test_placeholder\n")
    return "user prose", text, secret


def pasted_env_unknown(d):
    secret = d.b58(30)
    text = (f"pasting what I have locally:\n```\nMOTHERDUCK_DB=analytics\nGLINT_KEY={secret}\nGLINT_REGION=eu2\n```\n"
            "GLINT_KEY is from their settings page")
    return "user prose", text, secret


def voice_frustrated(d):
    value = d.alnum(40)
    text = (f"ugh it STILL says 401. i literally copied the token from the portal: {value}\n"
            "is the header wrong??")
    return "user prose", text, value


def voice_bulleted(d):
    value = d.human_password()
    text = f"Access for the contractor VM:\n- host: {d.ip()}\n- user: ubuntu\n- password: {value}\n- sudo: yes"
    return "user prose", text, value


def voice_sentence_end(d):
    value = d.b64url(32)
    return "user prose", f"Our internal gateway wants the key in a header, the key is {value}.", value


def voice_markdown_table(d):
    value = d.hex(32)
    text = ("| env | api key |\n|-----|---------|\n| dev | (empty) |\n"
            f"| prod | {value} |\n\nuse prod one for the backfill")
    return "user prose", text, value


def voice_wifi(d):
    value = d.passphrase(3, "-") + d.digits(2)
    return "user prose", f"guest wifi is Cafe-Nordlicht and the key is {value} if you need it for the demo", value


def assistant_recap(d):
    value = d.password(18)
    text = (f"Thanks — I'll use the password you gave (`{value}`) only for this session and won't write it "
            "into any file. Connecting now.")
    return "assistant prose", text, value


def assistant_warning(d):
    value = "ghp_" + d.alnum(36)
    text = (f"Heads up: `scripts/release.sh` line 12 hard-codes a GitHub token (`{value}`). Anyone with the "
            "repository can use it; revoke it and read it from `$GITHUB_TOKEN` instead.")
    return "assistant prose", text, value


def assistant_summary_table(d):
    value = d.alnum(32)
    text = ("Here is what the migration needs:\n\n| Variable | Value |\n|---|---|\n| `PORT` | `8080` |\n"
            f"| `PARTNER_API_SECRET` | `{value}` |\n")
    return "assistant prose", text, value


def assistant_thinking(d):
    value = d.human_password()
    text = (f"The user said the SFTP password is {value}. The script reads it from SFTP_PASS, so I will "
            "export that variable for the one command rather than editing the script.")
    return "assistant reasoning", text, value


CASES = language_cases() + [
    ("prose-hunter-ish-password", hunter_ish), ("prose-password-first-line", password_then_username),
    ("prose-pasted-env-stripe", pasted_env), ("prose-pasted-env-unknown-vendor", pasted_env_unknown),
    ("prose-frustrated-token", voice_frustrated), ("prose-bulleted-vm-password", voice_bulleted),
    ("prose-gateway-key-sentence", voice_sentence_end), ("prose-markdown-table-key", voice_markdown_table),
    ("prose-wifi-passphrase", voice_wifi), ("assistant-recap-password", assistant_recap),
    ("assistant-warns-hardcoded-token", assistant_warning), ("assistant-table-secret", assistant_summary_table),
    ("assistant-reasoning-password", assistant_thinking),
]
