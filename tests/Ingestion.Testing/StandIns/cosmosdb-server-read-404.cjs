// Preloaded (node --require) before @vercel/cosmosdb-server's routes are built: reading a missing item makes the
// stand-in's read-document handler throw a TypeError (a 500); the real service answers 404 NotFound. The routes
// table reads the handler's default export when it is first loaded, so replacing it here is enough; the
// installed package is left untouched.
const path = require.resolve("@vercel/cosmosdb-server/lib/handler/read-document", { paths: [process.cwd()] });
const mod = require(path);
const original = mod.default;
mod.default = (account, req, res, params) => {
  try {
    return original(account, req, res, params);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    res.statusCode = 404;
    return { code: "NotFound", message: "Entity with the specified id does not exist in the system." };
  }
};
