// Small helpers the dashboard calls from the server.
window.clickInsights = {
    // Remembers a choice (the workspace shown) for a year, for every page of the site.
    remember: (name, value) => {
        document.cookie = `${name}=${encodeURIComponent(value)}; path=/; max-age=31536000; samesite=lax`;
    },
};
