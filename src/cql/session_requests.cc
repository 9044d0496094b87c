// The public request API of Session: each call becomes a RequestState
// submitted to request execution (request.cc); the blocking forms wait on
// the async ones.
#include <future>

#include "cql/request.h"
#include "cql/session.h"
#include "cql/session_impl.h"

namespace cql {

void Session::PrepareAsync(const std::string& query, PrepareCallback cb) {
  if (Prepared cached = impl_->prepared_cache.Find(query)) {
    ++impl_->counters.prepare_cache_hits;
    asio::post(impl_->io, [impl = impl_.get(), cb = std::move(cb), cached] { impl->RunCallback([&] { cb(cached); }); });
    return;
  }
  auto st = std::make_shared<RequestState>();
  st->type = RequestState::Type::kPrepare;
  st->query = query;
  st->prepare_cb = std::move(cb);
  impl_->Submit(std::move(st));
}

std::future<Result<Prepared>> Session::PrepareAsync(const std::string& query) {
  auto p = std::make_shared<std::promise<Result<Prepared>>>();
  auto f = p->get_future();
  PrepareAsync(query, [p](Result<Prepared> r) { p->set_value(std::move(r)); });
  return f;
}

Prepared Session::Prepare(const std::string& query) {
  impl_->CheckNotIoThread("Prepare");
  return PrepareAsync(query).get().value_or_throw();
}

void Session::ExecuteAsync(const Prepared& p, std::vector<Value> values, const StatementOptions& options, Callback cb) {
  auto st = std::make_shared<RequestState>();
  st->type = RequestState::Type::kExecute;
  st->prepared = p;
  st->values = std::move(values);
  st->options = options;
  st->cb = std::move(cb);
  impl_->Submit(std::move(st));
}

std::future<Result<ResultSet>> Session::ExecuteAsync(const Prepared& p, std::vector<Value> values,
                                                     const StatementOptions& options) {
  auto pr = std::make_shared<std::promise<Result<ResultSet>>>();
  auto f = pr->get_future();
  ExecuteAsync(p, std::move(values), options, [pr](Result<ResultSet> r) { pr->set_value(std::move(r)); });
  return f;
}

ResultSet Session::Execute(const Prepared& p, std::vector<Value> values, const StatementOptions& options) {
  impl_->CheckNotIoThread("Execute");
  return ExecuteAsync(p, std::move(values), options).get().value_or_throw();
}

void Session::ExecuteRowAsync(const Prepared& p, EncodedValues values, const StatementOptions& options, Callback cb) {
  auto st = std::make_shared<RequestState>();
  st->type = RequestState::Type::kExecute;
  st->prepared = p;
  st->encoded = std::move(values);
  st->options = options;
  st->cb = std::move(cb);
  impl_->Submit(std::move(st));
}

std::future<Result<ResultSet>> Session::ExecuteRowAsync(const Prepared& p, EncodedValues values,
                                                        const StatementOptions& options) {
  auto pr = std::make_shared<std::promise<Result<ResultSet>>>();
  auto f = pr->get_future();
  ExecuteRowAsync(p, std::move(values), options, [pr](Result<ResultSet> r) { pr->set_value(std::move(r)); });
  return f;
}

void Session::QueryAsync(const std::string& query, std::vector<Value> values, const StatementOptions& options,
                         Callback cb) {
  auto st = std::make_shared<RequestState>();
  st->type = RequestState::Type::kQuery;
  st->query = query;
  st->values = std::move(values);
  st->options = options;
  st->cb = std::move(cb);
  impl_->Submit(std::move(st));
}

std::future<Result<ResultSet>> Session::QueryAsync(const std::string& query, std::vector<Value> values,
                                                   const StatementOptions& options) {
  auto pr = std::make_shared<std::promise<Result<ResultSet>>>();
  auto f = pr->get_future();
  QueryAsync(query, std::move(values), options, [pr](Result<ResultSet> r) { pr->set_value(std::move(r)); });
  return f;
}

ResultSet Session::Query(const std::string& query, std::vector<Value> values, const StatementOptions& options) {
  impl_->CheckNotIoThread("Query");
  return QueryAsync(query, std::move(values), options).get().value_or_throw();
}

void Session::ExecuteBatchAsync(const Batch& batch, const StatementOptions& options, Callback cb) {
  ExecuteBatchAsync(Batch(batch), options, std::move(cb));
}

void Session::ExecuteBatchAsync(Batch&& batch, const StatementOptions& options, Callback cb) {
  auto st = std::make_shared<RequestState>();
  st->type = RequestState::Type::kBatch;
  st->batch = std::move(batch);
  st->options = options;
  st->cb = std::move(cb);
  impl_->Submit(std::move(st));
}

std::future<Result<ResultSet>> Session::ExecuteBatchAsync(const Batch& batch, const StatementOptions& options) {
  return ExecuteBatchAsync(Batch(batch), options);
}

std::future<Result<ResultSet>> Session::ExecuteBatchAsync(Batch&& batch, const StatementOptions& options) {
  auto pr = std::make_shared<std::promise<Result<ResultSet>>>();
  auto f = pr->get_future();
  ExecuteBatchAsync(std::move(batch), options, [pr](Result<ResultSet> r) { pr->set_value(std::move(r)); });
  return f;
}

ResultSet Session::ExecuteBatch(const Batch& batch, const StatementOptions& options) {
  impl_->CheckNotIoThread("ExecuteBatch");
  return ExecuteBatchAsync(batch, options).get().value_or_throw();
}

PageIterator Session::Pages(const Prepared& p, std::vector<Value> values, const StatementOptions& options) {
  PageIterator it;
  it.session_ = this;
  it.prepared_ = p;
  it.values_ = std::move(values);
  it.options_ = options;
  return it;
}

PageIterator Session::Pages(const std::string& query, std::vector<Value> values, const StatementOptions& options) {
  PageIterator it;
  it.session_ = this;
  it.query_ = query;
  it.values_ = std::move(values);
  it.options_ = options;
  return it;
}

bool PageIterator::Next() {
  if (done_ || session_ == nullptr) return false;
  if (started_) {
    if (!page_.has_more_pages()) {
      done_ = true;
      return false;
    }
    options_.paging_state = page_.paging_state();
  }
  started_ = true;
  page_ = prepared_ ? session_->Execute(prepared_, values_, options_) : session_->Query(query_, values_, options_);
  return true;
}

}  // namespace cql
