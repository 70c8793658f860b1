using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace ClickInsights.Web;

/// <summary>
/// Who may open the dashboard. Without a password (the default, for one person on their own computer) anyone who
/// can reach it may; with <c>ClickInsights:Access:Password</c> set, a browser signs in once and stays signed in.
/// Webhooks never sign in: each provider's call is checked by its own signature.
/// </summary>
public sealed class AccessOptions
{
    public const string Section = "ClickInsights:Access";

    /// <summary>The password that opens the dashboard; empty leaves it open.</summary>
    public string? Password { get; set; }

    /// <summary>How long a browser stays signed in without using the dashboard.</summary>
    public TimeSpan SignedInFor { get; set; } = TimeSpan.FromDays(14);

    /// <summary>How long a wrong password waits before its answer, so that guessing takes long.</summary>
    public TimeSpan WrongPasswordDelay { get; set; } = TimeSpan.FromSeconds(1);

    public bool Required => !string.IsNullOrEmpty(Password);

    /// <summary>Which password a sign-in was made with, without the password: kept in the (encrypted) sign-in cookie.</summary>
    public string Stamp() => Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Password ?? ""), "ClickInsights sign-in"u8));

    public bool Matches(string? password) =>
        Required && password is not null
        && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(password)), SHA256.HashData(Encoding.UTF8.GetBytes(Password!)));
}

public static class Access
{
    public const string SignIn = "/signin";
    public const string SignOut = "/signout";
    private const string PasswordClaim = "clickinsights:password";
    private const string SessionClaim = "clickinsights:session";

    /// <summary>
    /// Password checks take turns, and a wrong one holds its turn for the delay whether or not the caller waits for the
    /// answer: guessing goes at one try per delay however many run in parallel.
    /// </summary>
    private static readonly SemaphoreSlim Checking = new(1, 1);

    /// <summary>Every endpoint asks this unless it says otherwise: signed in, when a password is set.</summary>
    private sealed class SignedInWhenRequired : IAuthorizationRequirement;

    private sealed class SignedInWhenRequiredHandler(IOptions<AccessOptions> options) : AuthorizationHandler<SignedInWhenRequired>
    {
        protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, SignedInWhenRequired requirement)
        {
            if (!options.Value.Required || context.User.Identity?.IsAuthenticated == true)
            {
                context.Succeed(requirement);
            }
            return Task.CompletedTask;
        }
    }

    public static IServiceCollection AddAccess(this IServiceCollection services)
    {
        services.AddOptions<AccessOptions>().BindConfiguration(AccessOptions.Section);
        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie();
        services.AddOptions<CookieAuthenticationOptions>(CookieAuthenticationDefaults.AuthenticationScheme).Configure<IOptions<AccessOptions>>((cookie, access) =>
        {
            cookie.LoginPath = SignIn;
            cookie.LogoutPath = SignOut;
            cookie.Cookie.Name = "clickinsights-signin";
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Lax;
            cookie.ExpireTimeSpan = access.Value.SignedInFor;
            cookie.SlidingExpiration = true;
            // A sign-in made with another password (changed since, or removed and set again), or signed out since (a
            // copy of its cookie kept elsewhere), no longer opens anything.
            cookie.Events.OnValidatePrincipal = async context =>
            {
                var services = context.HttpContext.RequestServices;
                if (!StillValid(context.Principal, services.GetRequiredService<IOptions<AccessOptions>>().Value, services.GetRequiredService<SignedOutSessions>()))
                {
                    context.RejectPrincipal();
                    await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
                }
            };
        });
        services.AddSingleton<SignedOutSessions>();
        // Open pages check their sign-in again every few seconds: signing out in one tab closes the others.
        services.AddScoped<AuthenticationStateProvider, SignInRevalidator>();
        services.AddSingleton<IAuthorizationHandler, SignedInWhenRequiredHandler>();
        services.AddAuthorization(authorization => authorization.FallbackPolicy = new AuthorizationPolicyBuilder().AddRequirements(new SignedInWhenRequired()).Build());
        return services;
    }

    /// <summary>Whether a sign-in still opens the dashboard: made with today's password, and not signed out since.</summary>
    internal static bool StillValid(ClaimsPrincipal? person, AccessOptions options, SignedOutSessions signedOut) =>
        !options.Required
        || person?.Identity?.IsAuthenticated == true
            && person.FindFirst(PasswordClaim)?.Value == options.Stamp()
            && person.FindFirst(SessionClaim) is { } session
            && !signedOut.Contains(session.Value);

    /// <summary>
    /// The sessions signed out while their cookies would still be valid, until they would have expired anyway. Kept in a
    /// small file next to the database (and its key ring), so that a restart does not make a signed-out cookie valid again.
    /// </summary>
    public sealed class SignedOutSessions
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, DateTimeOffset> _until = new(StringComparer.Ordinal);
        private readonly TimeProvider _time;
        private readonly string _file;
        private readonly Lock _writing = new();

        public SignedOutSessions(TimeProvider time, IOptions<ClickInsights.Core.Data.StorageOptions> storage)
        {
            _time = time;
            _file = storage.Value.ResolvedDatabasePath + ".signed-out";
            if (!File.Exists(_file))
            {
                return;
            }
            var now = time.GetUtcNow();
            foreach (var line in File.ReadAllLines(_file))
            {
                var parts = line.Split('\t');
                if (parts.Length == 2 && long.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
                    && DateTimeOffset.FromUnixTimeSeconds(seconds) is var until && until > now)
                {
                    _until[parts[0]] = until;
                }
            }
        }

        public void Add(string? session, TimeSpan remembered)
        {
            if (session is null)
            {
                return;
            }
            var now = _time.GetUtcNow();
            foreach (var (old, until) in _until)
            {
                if (until < now)
                {
                    _until.TryRemove(old, out _);
                }
            }
            _until[session] = now + remembered;
            lock (_writing)
            {
                var lines = _until.Select(s => FormattableString.Invariant($"{s.Key}\t{s.Value.ToUnixTimeSeconds()}"));
                var temporary = _file + ".new";
                File.WriteAllLines(temporary, lines);
                File.Move(temporary, _file, overwrite: true);
            }
        }

        public bool Contains(string session) => _until.ContainsKey(session);
    }

    /// <summary>
    /// The sign-in of an open page (a Blazor circuit, which never sends the cookie again), checked every few seconds:
    /// signed out in another tab, or made with an earlier password, the page is sent to the sign-in page.
    /// </summary>
    private sealed class SignInRevalidator(ILoggerFactory loggers, IOptions<AccessOptions> options, SignedOutSessions signedOut)
        : RevalidatingServerAuthenticationStateProvider(loggers)
    {
        protected override TimeSpan RevalidationInterval => TimeSpan.FromSeconds(5);

        protected override Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken) =>
            Task.FromResult(StillValid(authenticationState.User, options.Value, signedOut));
    }

    public static void MapAccess(this IEndpointRouteBuilder app)
    {
        app.MapGet(SignIn, (HttpContext http, IAntiforgery antiforgery, IOptions<AccessOptions> options, string? returnUrl) =>
            !options.Value.Required
                ? Results.Redirect("/")
                : Page(http, antiforgery, LocalOrHome(returnUrl), wrong: false, HttpStatusCode.OK)).AllowAnonymous();

        app.MapPost(SignIn, async (HttpContext http, IAntiforgery antiforgery, IOptions<AccessOptions> options, [FromForm] string? password, [FromForm] string? returnUrl) =>
        {
            var target = LocalOrHome(returnUrl);
            if (!options.Value.Required)
            {
                return Results.Redirect(target);
            }
            bool matches;
            await Checking.WaitAsync(http.RequestAborted);
            try
            {
                matches = options.Value.Matches(password);
                if (!matches)
                {
                    await Task.Delay(options.Value.WrongPasswordDelay, CancellationToken.None);
                }
            }
            finally
            {
                Checking.Release();
            }
            if (!matches)
            {
                return Page(http, antiforgery, target, wrong: true, HttpStatusCode.Unauthorized);
            }
            var person = new ClaimsPrincipal(new ClaimsIdentity(
                [new Claim(ClaimTypes.Name, "dashboard"), new Claim(PasswordClaim, options.Value.Stamp()), new Claim(SessionClaim, Guid.NewGuid().ToString("N"))],
                CookieAuthenticationDefaults.AuthenticationScheme));
            await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, person, new AuthenticationProperties { IsPersistent = true });
            return Results.Redirect(target);
        }).AllowAnonymous();

        app.MapPost(SignOut, async (HttpContext http, IAntiforgery antiforgery, SignedOutSessions signedOut, IOptions<AccessOptions> options) =>
        {
            // Only the dashboard's own sign-out button (its form carries the token), not another site's form.
            if (!await antiforgery.IsRequestValidAsync(http))
            {
                return Results.Text("Sign out from the dashboard's own button.", statusCode: StatusCodes.Status400BadRequest);
            }
            // Its cookie stops working everywhere, copies and other open tabs included.
            signedOut.Add(http.User.FindFirst(SessionClaim)?.Value, options.Value.SignedInFor);
            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.Redirect(SignIn);
        }).AllowAnonymous().DisableAntiforgery();
    }

    /// <summary>
    /// Only addresses of this dashboard are followed after signing in (never another site's): a path from the root,
    /// without a second slash or backslash at its start, and without backslashes or control characters anywhere
    /// (browsers drop tabs and line breaks from addresses, so "/\t/evil.example" would become "//evil.example").
    /// </summary>
    internal static string LocalOrHome(string? returnUrl) =>
        returnUrl is { Length: > 0 } url && url[0] == '/' && (url.Length == 1 || url[1] is not ('/' or '\\'))
        && !url.Any(c => c == '\\' || char.IsControl(c))
            ? url
            : "/";

    /// <summary>The sign-in page: one field, plain HTML, so that it works before anything of the dashboard loads.</summary>
    private static IResult Page(HttpContext http, IAntiforgery antiforgery, string returnUrl, bool wrong, HttpStatusCode status)
    {
        var tokens = antiforgery.GetAndStoreTokens(http);
        var html = $$"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
              <meta charset="utf-8" />
              <meta name="viewport" content="width=device-width, initial-scale=1.0" />
              <title>Sign in · ClickInsights</title>
              <style>
                body { margin: 0; font-family: Roboto, "Segoe UI", Helvetica, Arial, sans-serif; background: #f5f5f5; color: #222; }
                header { background: #1f5f8b; color: #fff; padding: 14px 24px; font-size: 20px; }
                header span { font-size: 14px; opacity: .8; margin-left: 12px; }
                main { max-width: 380px; margin: 64px auto; background: #fff; padding: 28px 32px; border-radius: 6px; box-shadow: 0 1px 3px rgba(0,0,0,.2); }
                h1 { font-size: 22px; font-weight: 500; margin: 0 0 8px; }
                p { font-size: 14px; color: #555; margin: 0 0 20px; line-height: 1.45; }
                label { display: block; font-size: 14px; margin-bottom: 6px; }
                input[type=password] { box-sizing: border-box; width: 100%; padding: 10px 12px; font-size: 16px; border: 1px solid #bbb; border-radius: 4px; }
                input[type=password]:focus { outline: 2px solid #1f5f8b; border-color: #1f5f8b; }
                button { margin-top: 18px; width: 100%; padding: 10px; font-size: 15px; letter-spacing: .04em; text-transform: uppercase; color: #fff; background: #1f5f8b; border: 0; border-radius: 4px; cursor: pointer; }
                .wrong { color: #c62828; font-size: 14px; margin: 10px 0 0; }
              </style>
            </head>
            <body>
              <header>ClickInsights<span>real people vs. security scanners</span></header>
              <main>
                <h1>Sign in</h1>
                <p>This dashboard is protected by a password. Ask the person who set it up if you do not have it (it is the
                <code>ClickInsights:Access:Password</code> setting of the server).</p>
                <form method="post" action="{{SignIn}}">
                  <input type="hidden" name="{{WebUtility.HtmlEncode(tokens.FormFieldName)}}" value="{{WebUtility.HtmlEncode(tokens.RequestToken)}}" />
                  <input type="hidden" name="returnUrl" value="{{WebUtility.HtmlEncode(returnUrl)}}" />
                  <label for="password">Password</label>
                  <input id="password" name="password" type="password" autocomplete="current-password" autofocus required{{(wrong ? " aria-invalid=\"true\" aria-describedby=\"wrong\"" : "")}} />
                  {{(wrong ? "<p id=\"wrong\" class=\"wrong\" role=\"alert\" data-testid=\"wrong-password\">That is not the password. Try again.</p>" : "")}}
                  <button type="submit">Sign in</button>
                </form>
              </main>
            </body>
            </html>
            """;
        return Results.Content(html, "text/html; charset=utf-8", Encoding.UTF8, (int)status);
    }
}
