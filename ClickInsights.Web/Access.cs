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
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.RateLimiting;
using System.Threading.RateLimiting;
using ClickInsights.Core.Accounts;
using ClickInsights.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace ClickInsights.Web;

/// <summary>
/// How sign-ins behave. Accounts (ASP.NET Core Identity on the dashboard's database) turn on when the first admin
/// exists; before that, the dashboard is open to whoever reaches it on loopback, as one person's tool.
/// </summary>
public sealed class AccessOptions
{
    public const string Section = "ClickInsights:Access";

    /// <summary>How long a browser stays signed in without using the dashboard.</summary>
    public TimeSpan SignedInFor { get; set; } = TimeSpan.FromDays(14);

    /// <summary>How long a refused sign-in waits before its answer, so that guessing takes long.</summary>
    public TimeSpan WrongPasswordDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Sign-in attempts allowed per address per minute (ASP.NET Core's rate limiter); more get 429.</summary>
    public int SignInsPerMinute { get; set; } = 10;
}

public static class Access
{
    public const string SignIn = "/signin";
    public const string SignOut = "/signout";
    private const string SessionClaim = "clickinsights:session";
    private const string StampClaim = "clickinsights:stamp";
    private const string SignInLimit = "sign-in";

    /// <summary>Said alike for an unknown address, a wrong password and a locked account: nothing tells which it was.</summary>
    public const string Refused = "That email and password do not match an account. Try again; after 5 wrong tries in a row an account waits 5 minutes.";

    /// <summary>Every endpoint asks this unless it says otherwise: signed in, once accounts are on.</summary>
    private sealed class SignedInWhenRequired : IAuthorizationRequirement;

    private sealed class SignedInWhenRequiredHandler(PeopleService people) : AuthorizationHandler<SignedInWhenRequired>
    {
        protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, SignedInWhenRequired requirement)
        {
            if (context.User.Identity?.IsAuthenticated == true || !await people.AccountsOnAsync())
            {
                context.Succeed(requirement);
            }
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
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            cookie.ExpireTimeSpan = access.Value.SignedInFor;
            cookie.SlidingExpiration = true;
            // A sign-in of a person removed since, whose password or role changed since, or signed out since (a copy
            // of its cookie kept elsewhere), no longer opens anything.
            cookie.Events.OnValidatePrincipal = async context =>
            {
                var services = context.HttpContext.RequestServices;
                if (!await StillValidAsync(context.Principal, services.GetRequiredService<IServiceScopeFactory>(), services.GetRequiredService<SignedOutSessions>()))
                {
                    context.RejectPrincipal();
                    await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
                }
            };
        });
        services.AddSingleton<SignedOutSessions>();
        // Open pages check their sign-in again every few seconds: signing out in one tab closes the others.
        services.AddScoped<AuthenticationStateProvider, SignInRevalidator>();
        services.AddScoped<Viewer>();
        services.AddSingleton<IAuthorizationHandler, SignedInWhenRequiredHandler>();
        services.AddAuthorization(authorization => authorization.FallbackPolicy = new AuthorizationPolicyBuilder().AddRequirements(new SignedInWhenRequired()).Build());
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = "60";
                await context.HttpContext.Response.WriteAsync("Too many sign-in attempts from this address. Wait a minute and try again.", cancellationToken);
            };
            limiter.AddPolicy(SignInLimit, http => RateLimitPartition.GetFixedWindowLimiter(
                http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = http.RequestServices.GetRequiredService<IOptions<AccessOptions>>().Value.SignInsPerMinute,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                }));
        });
        return services;
    }

    /// <summary>The person of a sign-in, or null for no sign-in.</summary>
    internal static string? PersonId(ClaimsPrincipal? user) =>
        user?.Identity?.IsAuthenticated == true ? user.FindFirst(ClaimTypes.NameIdentifier)?.Value : null;

    /// <summary>Whether a sign-in still opens the dashboard: its person exists with the same security stamp, and it was not signed out since.</summary>
    internal static async Task<bool> StillValidAsync(ClaimsPrincipal? user, IServiceScopeFactory scopes, SignedOutSessions signedOut)
    {
        if (user?.Identity?.IsAuthenticated != true)
        {
            return true;
        }
        if (PersonId(user) is not { } id || user.FindFirst(SessionClaim) is not { } session || await signedOut.ContainsAsync(session.Value))
        {
            return false;
        }
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<Person>>();
        var person = await users.FindByIdAsync(id);
        return person is not null && person.SecurityStamp == user.FindFirst(StampClaim)?.Value;
    }

    /// <summary>
    /// The sessions signed out while their cookies would still be valid, until they would have expired anyway. Kept in the
    /// database (<see cref="SignedOutSession"/>), so that neither a restart nor another instance behind the load balancer
    /// takes a signed-out cookie for a valid one.
    /// </summary>
    public sealed class SignedOutSessions(IDbContextFactory<ClickInsightsDbContext> dbFactory, TimeProvider time)
    {
        public async Task AddAsync(string? session, TimeSpan remembered)
        {
            if (session is null)
            {
                return;
            }
            var now = time.GetUtcNow().UtcDateTime;
            await using var db = await dbFactory.CreateDbContextAsync();
            await db.SignedOutSessions.Where(s => s.Until < now || s.Session == session).ExecuteDeleteAsync();
            db.SignedOutSessions.Add(new SignedOutSession { Session = session, Until = now + remembered });
            await db.SaveChangesAsync();
        }

        public async Task<bool> ContainsAsync(string session)
        {
            await using var db = await dbFactory.CreateDbContextAsync();
            return await db.SignedOutSessions.AnyAsync(s => s.Session == session);
        }

        /// <summary>Moves the sessions an earlier version kept in a file next to the SQLite database into the database; how many.</summary>
        public static async Task<int> ImportFileAsync(IDbContextFactory<ClickInsightsDbContext> dbFactory, string file, TimeProvider time, CancellationToken cancellationToken)
        {
            if (!File.Exists(file))
            {
                return 0;
            }
            var now = time.GetUtcNow();
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var known = (await db.SignedOutSessions.Select(s => s.Session).ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
            var moved = 0;
            foreach (var line in await File.ReadAllLinesAsync(file, cancellationToken))
            {
                var parts = line.Split('\t');
                if (parts.Length == 2 && parts[0].Length <= 64 && known.Add(parts[0])
                    && long.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
                    && seconds < 253_402_300_799 && DateTimeOffset.FromUnixTimeSeconds(seconds) is var until && until > now)
                {
                    db.SignedOutSessions.Add(new SignedOutSession { Session = parts[0], Until = until.UtcDateTime });
                    moved++;
                }
            }
            await db.SaveChangesAsync(cancellationToken);
            File.Move(file, file + ".moved", overwrite: true);
            return moved;
        }
    }

    /// <summary>
    /// The sign-in of an open page (a Blazor circuit, which never sends the cookie again), checked every few seconds:
    /// signed out in another tab, removed, or given another role or password, the page is sent to the sign-in page.
    /// </summary>
    private sealed class SignInRevalidator(ILoggerFactory loggers, IServiceScopeFactory scopes, SignedOutSessions signedOut)
        : RevalidatingServerAuthenticationStateProvider(loggers)
    {
        protected override TimeSpan RevalidationInterval => TimeSpan.FromSeconds(5);

        protected override Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken) =>
            StillValidAsync(authenticationState.User, scopes, signedOut);
    }

    public static void MapAccess(this IEndpointRouteBuilder app)
    {
        app.MapGet(SignIn, async (HttpContext http, IAntiforgery antiforgery, PeopleService people, string? returnUrl) =>
            !await people.AccountsOnAsync()
                ? Results.Redirect(LocalOrHome(returnUrl))
                : Page(http, antiforgery, LocalOrHome(returnUrl), email: "", refused: false, HttpStatusCode.OK)).AllowAnonymous();

        app.MapPost(SignIn, async (HttpContext http, IAntiforgery antiforgery, PeopleService people, AuditLog audit, IOptions<AccessOptions> options,
            [FromForm] string? email, [FromForm] string? password, [FromForm] string? returnUrl) =>
        {
            var target = LocalOrHome(returnUrl);
            if (!await people.AccountsOnAsync())
            {
                return Results.Redirect(target);
            }
            email = (email ?? "").Trim();
            if (email.Length > 254)
            {
                email = email[..254];
            }
            await using var scope = http.RequestServices.CreateAsyncScope();
            var users = scope.ServiceProvider.GetRequiredService<UserManager<Person>>();
            var person = email.Length == 0 ? null : await users.FindByEmailAsync(email);
            var accepted = false;
            if (person is null)
            {
                // An unknown address costs a password check too, so its answer takes as long as a wrong password's.
                users.PasswordHasher.VerifyHashedPassword(new Person(), DummyHash, password ?? "");
            }
            else if (!await users.IsLockedOutAsync(person))
            {
                accepted = await users.CheckPasswordAsync(person, password ?? "");
                if (accepted)
                {
                    await users.ResetAccessFailedCountAsync(person);
                }
                else
                {
                    await users.AccessFailedAsync(person);
                }
            }
            if (!accepted || person is null)
            {
                await audit.RecordAsync(null, email.Length == 0 ? "(no email)" : email, AuditActions.SignInFailed, "Refused at the sign-in page.");
                await Task.Delay(options.Value.WrongPasswordDelay, CancellationToken.None);
                return Page(http, antiforgery, target, email, refused: true, HttpStatusCode.Unauthorized);
            }
            await SignInAsync(http, person, people, audit, $"Signed in from {http.Connection.RemoteIpAddress}.");
            return Results.Redirect(target);
        }).AllowAnonymous().RequireRateLimiting(SignInLimit);

        // The first admin, made in the browser: offered only on this computer (loopback), only while no admin exists.
        app.MapGet(Urls.FirstRun, async (HttpContext http, IAntiforgery antiforgery, PeopleService people) =>
            !IsFromThisComputer(http) ? Results.NotFound()
            : await people.AccountsOnAsync() ? Results.Redirect(SignIn)
            : FirstRunPage(http, antiforgery, email: "", problem: null, HttpStatusCode.OK)).AllowAnonymous();

        app.MapPost(Urls.FirstRun, async (HttpContext http, IAntiforgery antiforgery, PeopleService people, AuditLog audit,
            [FromForm] string? email, [FromForm] string? password, [FromForm] string? confirm) =>
        {
            if (!IsFromThisComputer(http))
            {
                return Results.NotFound();
            }
            email = (email ?? "").Trim();
            email = email.Length > 254 ? email[..254] : email;
            if (password != confirm)
            {
                return FirstRunPage(http, antiforgery, email, "The two passwords differ. Type the same one twice.", HttpStatusCode.BadRequest);
            }
            await FirstAdmin.WaitAsync();
            try
            {
                // Asked again inside the lock: two browsers sending the form at once make one admin, not two.
                if (await people.AccountsOnAsync())
                {
                    return Results.Redirect(SignIn);
                }
                var added = await people.AddAsync(email, password ?? "", Role.Admin, workspaceId: null);
                await audit.RecordAsync(null, added.Email, AuditActions.People, "Created the first admin on the first-run page; accounts are on.");
                await using var scope = http.RequestServices.CreateAsyncScope();
                var person = await scope.ServiceProvider.GetRequiredService<UserManager<Person>>().FindByIdAsync(added.Id);
                await SignInAsync(http, person!, people, audit, "Signed in on the first-run page, as the first admin.");
                return Results.Redirect(Urls.People);
            }
            catch (PeopleException e)
            {
                return FirstRunPage(http, antiforgery, email, e.Message, HttpStatusCode.BadRequest);
            }
            finally
            {
                FirstAdmin.Release();
            }
        }).AllowAnonymous().RequireRateLimiting(SignInLimit);

        app.MapPost(SignOut, async (HttpContext http, IAntiforgery antiforgery, SignedOutSessions signedOut, IOptions<AccessOptions> options) =>
        {
            // Only the dashboard's own sign-out button (its form carries the token), not another site's form.
            if (!await antiforgery.IsRequestValidAsync(http))
            {
                return Results.Text("Sign out from the dashboard's own button.", statusCode: StatusCodes.Status400BadRequest);
            }
            // Its cookie stops working everywhere, copies and other open tabs included.
            await signedOut.AddAsync(http.User.FindFirst(SessionClaim)?.Value, options.Value.SignedInFor);
            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.Redirect(SignIn);
        }).AllowAnonymous().DisableAntiforgery();
    }

    private static readonly SemaphoreSlim FirstAdmin = new(1, 1);

    /// <summary>A browser on the dashboard's own computer; behind a proxy, the address the proxy forwarded for.</summary>
    private static bool IsFromThisComputer(HttpContext http) => http.Connection.RemoteIpAddress is { } ip && IPAddress.IsLoopback(ip);

    private static async Task SignInAsync(HttpContext http, Person person, PeopleService people, AuditLog audit, string detail)
    {
        var principal = new ClaimsPrincipal(new ClaimsIdentity(
            [
                new Claim(ClaimTypes.NameIdentifier, person.Id),
                new Claim(ClaimTypes.Name, person.Email ?? ""),
                new Claim(StampClaim, person.SecurityStamp ?? ""),
                new Claim(SessionClaim, Guid.NewGuid().ToString("N")),
            ],
            CookieAuthenticationDefaults.AuthenticationScheme));
        await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, principal, new AuthenticationProperties { IsPersistent = true });
        // A sign-in shows in the log of every workspace the person can see: the one whose log is read.
        var access = await people.AccessAsync(person.Id);
        foreach (var workspace in access is null ? [] : await VisibleWorkspaceIdsAsync(http.RequestServices, access))
        {
            await audit.RecordAsync(workspace, person.Email ?? "", AuditActions.SignIn, detail);
        }
    }

    private static async Task<IReadOnlyList<int>> VisibleWorkspaceIdsAsync(IServiceProvider services, PersonAccess access)
    {
        var all = await services.GetRequiredService<ClickInsights.Core.Reports.ReportService>().WorkspacesAsync();
        return all.Where(w => access.Sees(w.Id)).Select(w => w.Id).ToList();
    }

    private static readonly string DummyHash = new PasswordHasher<Person>().HashPassword(new Person(), "not a password of anyone's");

    /// <summary>
    /// Only addresses of this dashboard are followed after signing in (never another site's): a path from the root,
    /// without a second slash or backslash at its start, and without backslashes or control characters anywhere
    /// (browsers drop tabs and line breaks from addresses, so "/\t/evil.example" would become "//evil.example").
    /// </summary>
    internal static string LocalOrHome(string? returnUrl) =>
        returnUrl is { Length: > 0 and <= 2048 } url && url[0] == '/' && (url.Length == 1 || url[1] is not ('/' or '\\'))
        && !url.Any(c => c == '\\' || char.IsControl(c))
            ? AsciiOnly(url)
            : "/";

    /// <summary>A Location header holds ASCII only: letters beyond it (a returnUrl of "/w/1/domains/müller.de") are percent-encoded as UTF-8.</summary>
    private static string AsciiOnly(string url)
    {
        if (!url.Any(c => c > 0x7e))
        {
            return url;
        }
        var ascii = new StringBuilder(url.Length * 2);
        for (var i = 0; i < url.Length; i++)
        {
            if (url[i] <= 0x7e)
            {
                ascii.Append(url[i]);
            }
            else if (char.IsHighSurrogate(url[i]) && i + 1 < url.Length && char.IsLowSurrogate(url[i + 1]))
            {
                ascii.Append(Uri.EscapeDataString(url.Substring(i++, 2)));
            }
            else if (!char.IsSurrogate(url[i]))
            {
                ascii.Append(Uri.EscapeDataString(url[i].ToString()));
            }
        }
        return ascii.ToString();
    }

    /// <summary>The sign-in page: plain HTML, so that it works before anything of the dashboard loads.</summary>
    private static IResult Page(HttpContext http, IAntiforgery antiforgery, string returnUrl, string email, bool refused, HttpStatusCode status)
    {
        var tokens = antiforgery.GetAndStoreTokens(http);
        return PlainPage("Sign in", $$"""
                <h1>Sign in</h1>
                <p>Sign in with the email address and password of your ClickInsights account. No account yet, or forgot the
                password? Ask an admin of this dashboard: they add people and set new passwords.</p>
                <form method="post" action="{{SignIn}}">
                  <input type="hidden" name="{{WebUtility.HtmlEncode(tokens.FormFieldName)}}" value="{{WebUtility.HtmlEncode(tokens.RequestToken)}}" />
                  <input type="hidden" name="returnUrl" value="{{WebUtility.HtmlEncode(returnUrl)}}" />
                  <label for="email">Email</label>
                  <input id="email" name="email" type="email" autocomplete="username" value="{{WebUtility.HtmlEncode(email)}}" {{(email.Length == 0 ? "autofocus" : "")}} required maxlength="254" />
                  <label for="password" style="margin-top:14px">Password</label>
                  <input id="password" name="password" type="password" autocomplete="current-password" {{(email.Length > 0 ? "autofocus" : "")}} required{{(refused ? " aria-invalid=\"true\" aria-describedby=\"wrong\"" : "")}} />
                  {{(refused ? $"<p id=\"wrong\" class=\"wrong\" role=\"alert\" data-testid=\"wrong-password\">{Refused}</p>" : "")}}
                  <button type="submit">Sign in</button>
                </form>
            """, status);
    }

    /// <summary>The first-run page: the first admin's email and password; from then on everyone signs in.</summary>
    private static IResult FirstRunPage(HttpContext http, IAntiforgery antiforgery, string email, string? problem, HttpStatusCode status)
    {
        var tokens = antiforgery.GetAndStoreTokens(http);
        return PlainPage("Create the first admin", $$"""
                <h1>Create the first admin</h1>
                <p>Until an admin exists, this dashboard is open to whoever uses it on this computer. Create the first admin
                account to let others in: from then on everyone signs in, and you add people and their roles on the People page.</p>
                <form method="post" action="{{Urls.FirstRun}}">
                  <input type="hidden" name="{{WebUtility.HtmlEncode(tokens.FormFieldName)}}" value="{{WebUtility.HtmlEncode(tokens.RequestToken)}}" />
                  <label for="email">Email</label>
                  <input id="email" name="email" type="email" autocomplete="username" value="{{WebUtility.HtmlEncode(email)}}" autofocus required maxlength="254" />
                  <label for="password" style="margin-top:14px">Password ({{AccountsServiceCollectionExtensions.MinimumPasswordLength}} characters or more)</label>
                  <input id="password" name="password" type="password" autocomplete="new-password" required minlength="{{AccountsServiceCollectionExtensions.MinimumPasswordLength}}" />
                  <label for="confirm" style="margin-top:14px">The same password again</label>
                  <input id="confirm" name="confirm" type="password" autocomplete="new-password" required />
                  {{(problem is null ? "" : $"<p class=\"wrong\" role=\"alert\" data-testid=\"first-run-problem\">{WebUtility.HtmlEncode(problem)}</p>")}}
                  <button type="submit">Create admin and sign in</button>
                </form>
            """, status);
    }

    private static IResult PlainPage(string title, string body, HttpStatusCode status)
    {
        var html = $$"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
              <meta charset="utf-8" />
              <meta name="viewport" content="width=device-width, initial-scale=1.0" />
              <title>{{WebUtility.HtmlEncode(title)}} · ClickInsights</title>
              <style>
                body { margin: 0; font-family: Roboto, "Segoe UI", Helvetica, Arial, sans-serif; background: #f5f5f5; color: #222; }
                header { background: #1f5f8b; color: #fff; padding: 14px 24px; font-size: 20px; }
                header span { font-size: 14px; opacity: .8; margin-left: 12px; }
                main { max-width: 380px; margin: 64px auto; background: #fff; padding: 28px 32px; border-radius: 6px; box-shadow: 0 1px 3px rgba(0,0,0,.2); }
                h1 { font-size: 22px; font-weight: 500; margin: 0 0 8px; }
                p { font-size: 14px; color: #555; margin: 0 0 20px; line-height: 1.45; }
                label { display: block; font-size: 14px; margin-bottom: 6px; }
                input[type=password], input[type=email] { box-sizing: border-box; width: 100%; padding: 10px 12px; font-size: 16px; border: 1px solid #bbb; border-radius: 4px; }
                input[type=password]:focus, input[type=email]:focus { outline: 2px solid #1f5f8b; border-color: #1f5f8b; }
                button { margin-top: 18px; width: 100%; padding: 10px; font-size: 15px; letter-spacing: .04em; text-transform: uppercase; color: #fff; background: #1f5f8b; border: 0; border-radius: 4px; cursor: pointer; }
                .wrong { color: #c62828; font-size: 14px; margin: 10px 0 0; }
              </style>
            </head>
            <body>
              <header>ClickInsights<span>real people vs. security scanners</span></header>
              <main>
            {{body}}
              </main>
            </body>
            </html>
            """;
        return Results.Content(html, "text/html; charset=utf-8", Encoding.UTF8, (int)status);
    }
}
