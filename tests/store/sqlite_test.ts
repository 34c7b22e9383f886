import { openSqliteStore } from "../../src/store/sqlite.ts";
import { storeContract } from "./_contract.ts";

storeContract("SqliteStore", () => Promise.resolve(openSqliteStore(":memory:")));
